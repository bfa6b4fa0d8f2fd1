"""Training and inference: the verbs of Trainer (trainer.py) and the runners that carry out their steps."""
