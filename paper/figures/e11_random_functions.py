# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---


# %% [markdown]
# # E11: random continuous functions (seed 000 §IV.E, Fig. 9-10)
# `teacher_parameters` marks the size of the teacher (a student RNN this size can express it).

# %% tags=["parameters"]
tables = {"e11_random_functions_errors": "results/tables/e11_random_functions_errors.csv"}
teacher_parameters = None
png = "results/figures/e11_random_functions.png"
pdf = "results/figures/e11_random_functions.pdf"

# %%
import pandas as pd
from IPython.display import Image

from rnnstudy.plots.e11_random_functions import error_vs_parameters
from rnnstudy.plots.style import save_figure

figure = error_vs_parameters(pd.read_csv(tables["e11_random_functions_errors"]),
                             teacher_parameters)
save_figure(figure, png, pdf)
Image(png)
