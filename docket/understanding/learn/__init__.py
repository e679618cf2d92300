"""Learning from labelled documents: labels of real documents (embedded e-invoice XML, sidecar truth
files), how a read value is judged against its label, and the field-confidence model trained on them."""
