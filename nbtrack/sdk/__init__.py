"""wandb's `wandb.sdk` spellings, for code written against them."""
