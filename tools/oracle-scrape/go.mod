module gotrace-tui/tools/oracle-scrape

go 1.26

require gotrace-tui/tools/scrapefetch v0.0.0

replace gotrace-tui/tools/scrapefetch => ../scrapefetch
