#!/bin/sh
iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE
exec wg-quick up wg0
