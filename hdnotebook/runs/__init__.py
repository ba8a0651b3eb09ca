"""Run handles, the child-side context and the channel from children to the tuning loop."""
