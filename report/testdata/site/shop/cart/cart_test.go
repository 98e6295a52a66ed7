package cart

import "testing"

func TestTotal(t *testing.T) {
	c := &Cart{Items: []Item{{Name: "tea", Cents: 250, Qty: 2}}}
	if got := c.Total(); got != 500 {
		t.Fatalf("Total = %d", got)
	}
	if got := Discount(500, 10); got != 450 {
		t.Fatalf("Discount = %d", got)
	}
}
