// quantity: reads one string per line, prints "ok" or "bad" for each, as
// k8s.io/apimachinery's resource.ParseQuantity judges it.
package main

import (
	"bufio"
	"fmt"
	"os"

	"k8s.io/apimachinery/pkg/api/resource"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if _, err := resource.ParseQuantity(in.Text()); err != nil {
			fmt.Println("bad")
		} else {
			fmt.Println("ok")
		}
	}
}
