"""How figures name the model an experiment studies."""
from .style import MODEL_NAMES, shape_label


def studied(row) -> str:
    """E.g. 'GRU 2×2, init 3: 99.2% (≥ 87% reached)' from a table row's selection columns."""
    bar = (f"≥ {row['min_val_acc'] * 100:.0f}% reached" if row["threshold_reached"]
           else f"below the {row['min_val_acc'] * 100:.0f}% asked: best candidate")
    return (f"{MODEL_NAMES[row['model']]} {shape_label(row['input_dim'], row['hidden_dim'])}, "
            f"init {row['selected_init']}: {row['selected_val_acc'] * 100:.1f}% ({bar})")
