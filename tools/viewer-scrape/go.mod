module gotrace-tui/tools/viewer-scrape

go 1.26
