"""One file per schema change, applied in order by `unmentor db upgrade`."""
