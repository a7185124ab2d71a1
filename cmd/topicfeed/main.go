package main
import (
 _ "github.com/mmcdole/gofeed"
 _ "github.com/gorilla/feeds"
 _ "modernc.org/sqlite"
 _ "github.com/microcosm-cc/bluemonday"
 _ "github.com/prometheus/client_golang/prometheus"
 _ "go.yaml.in/yaml/v3"
 _ "golang.org/x/net/html/charset"
 _ "golang.org/x/text/unicode/norm"
)
func main(){}
