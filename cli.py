"""Run voc from a checkout without installing: ``python cli.py tag ...``."""
from voc.cli import main

if __name__ == "__main__":
    main()
