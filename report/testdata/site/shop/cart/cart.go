// Package cart keeps a shopping cart.
package cart

import "errors"

// Item is one line of a cart.
type Item struct {
	Name  string
	Cents int
	Qty   int
}

// Cart holds items.
type Cart struct {
	Items []Item
}

// Add puts an item in the cart, merging with an item of the same name.
func (c *Cart) Add(it Item) error {
	if it.Qty <= 0 {
		return errors.New("cart: quantity must be positive")
	}
	for i := range c.Items {
		if c.Items[i].Name == it.Name {
			c.Items[i].Qty += it.Qty
			return nil
		}
	}
	c.Items = append(c.Items, it)
	return nil
}

// Total sums the cart in cents.
func (c *Cart) Total() int {
	sum := 0
	for _, it := range c.Items {
		sum += it.Cents * it.Qty
	}
	return sum
}

// Discount takes a percentage off a total.
func Discount(total, percent int) int {
	if percent < 0 || percent > 100 {
		return total
	}
	off := total * percent / 100
	if off == 0 && percent > 0 {
		off = 1
	}
	return total - off
}
