package main

import (
	"fmt"
	"os"

	"example.com/shop/cart"
	"example.com/shop/money"
)

func main() {
	c := &cart.Cart{}
	if err := c.Add(cart.Item{Name: "tea", Cents: 250, Qty: 1}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(money.Format(c.Total()))
}
