"""The tuning loop: a background asyncio loop that samples, launches, watches and stops child runs."""
