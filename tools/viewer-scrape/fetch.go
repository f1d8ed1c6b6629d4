package main

import (
	"gotrace-tui/tools/scrapefetch"
)

// fetcher and pageError are the shared HTTP side (tools/scrapefetch).
type (
	fetcher   = scrapefetch.Fetcher
	pageError = scrapefetch.PageError
)

func newFetcher(base string) (*fetcher, error) { return scrapefetch.New(base) }
