"""How models and shapes are named in figures and the report."""
MODEL_NAMES = {"rnn": "RNN", "rnn_relu": "ReLU RNN", "irnn": "IRNN", "ugrnn": "UGRNN",
               "gru": "GRU", "lstm": "LSTM"}


def shape_label(input_dim: int, hidden_dim: int) -> str:
    return f"{input_dim}×{hidden_dim}"
