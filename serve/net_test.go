package serve

import "net"

func listenLoopback() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

func dialLoopback(addr string) (net.Conn, error) { return net.Dial("tcp", addr) }
