"""The 校对 page: the web face of the proofreader (taizhang.proofread holds the rules, with no Django)."""
