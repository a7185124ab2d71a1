package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/topicfeed/topicfeed/aggregator/parser"
)

func main() {
	for _, name := range os.Args[1:] {
		b, _ := os.ReadFile(name)
		r, err := parser.Parse(b, parser.Options{URL: "http://127.0.0.1:8097/tests/x.xml"})
		fmt.Println("=====", name)
		if err != nil {
			fmt.Println("ERR", err)
			continue
		}
		fmt.Printf("%s %s %s %q\n", r.Format, r.Version, r.Encoding, r.Warnings)
		f := *r.Feed
		out, _ := json.MarshalIndent(f, "", " ")
		fmt.Println(string(out))
	}
}
