package cart

// Banner is shown on the checkout page: </script><script>alert(1)</script>
func Banner(name string) string {
	if name == "" {
		return "</script><script>alert(1)</script>"
	}
	return "<b>" + name + "</b>"
}
