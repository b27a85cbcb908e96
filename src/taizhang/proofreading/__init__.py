"""The web face of the proofreader (taizhang.proofread holds the rules, with no Django)."""
