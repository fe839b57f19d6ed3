"""One check cycle: the Scrapy runner, its run context, visit planning and the item pipeline."""
