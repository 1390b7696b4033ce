"""The verdicts on the source's claims: per experiment, claims/<id>.py turns its tables into
numbers and verdicts (numbers.json). Apart from the computations the jobs run, so that a
change to a criterion reruns only the numbers and the report."""
