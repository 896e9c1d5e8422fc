#!/bin/sh
# busybox udhcpc's event script: applies the lease and writes it to /tmp/lease for init to print.
case "$1" in
  bound|renew)
    ifconfig "$interface" "$ip" netmask "$subnet" ${mtu:+mtu $mtu}
    for r in $router; do route add default gw "$r" dev "$interface"; break; done
    : > /etc/resolv.conf
    for d in $dns; do echo "nameserver $d" >> /etc/resolv.conf; done
    echo "JNS-LEASE ip=$ip subnet=$subnet router=$router dns=$dns server=$serverid mtu=$mtu" > /tmp/lease
    ;;
esac
exit 0
