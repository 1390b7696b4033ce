"""Job of E9: the tanh RNN, the ReLU RNN and the IRNN of E8's grid side by side."""
from ..analysis import e9_relu_tanh as analysis
from ..atomic import write_csv
from ..results import read_results


def relu_tanh(*, e8_capacity_points: str, comparison: str, params: dict) -> None:
    points = read_results(e8_capacity_points, ("model", "layers", "budget", "bits_per_param"))
    write_csv(comparison, analysis.comparison(points))
