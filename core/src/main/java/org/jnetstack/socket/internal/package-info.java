/**
 * What the blocking socket and the NIO channel share: the rings between the application and a
 * TCP connection and the loop's moves between them ({@link org.jnetstack.socket.internal.RingPump}).
 * The module does not export this package; its types may change at any time.
 */
package org.jnetstack.socket.internal;
