"""How models and shapes are named in figures and the report."""
MODEL_NAMES = {"rnn": "RNN", "rnn_relu": "ReLU RNN", "irnn": "IRNN", "ugrnn": "UGRNN",
               "gru": "GRU", "lstm": "LSTM", "lstm_peephole": "peephole LSTM",
               "lstm_cifg": "CIFG LSTM", "lstm_nf": "LSTM without forget gate"}
OPTIMIZER_NAMES = {"adam": "Adam", "rmsprop": "RMSprop", "adagrad": "Adagrad",
                   "sgd_nesterov": "SGD with Nesterov momentum"}


def shape_label(input_dim: int, hidden_dim: int) -> str:
    return f"{input_dim}×{hidden_dim}"
