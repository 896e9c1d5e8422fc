/**
 * Test fixtures shared by every module's tests: network namespaces and the processes run in
 * them ({@link org.jnetstack.testing.Netns}, {@link org.jnetstack.testing.Background}), what a
 * test needs from the machine ({@link org.jnetstack.testing.Requirements}: skip, or fail under
 * {@code CI=true}), middleware that filters, injects or captures frames
 * ({@link org.jnetstack.testing.TestPort}, {@link org.jnetstack.testing.FrameCapture}), a TCP
 * client that sends and collects ({@link org.jnetstack.testing.TcpExchange}), the textbook
 * checksum, allocation measurement and time constants ({@link org.jnetstack.testing.Nanos}).
 *
 * <p>They live in core's tests and reach the other modules as core's test-jar (only this
 * package goes in it), taken with {@code <type>test-jar</type>, <scope>test</scope>}. Not a
 * module of their own: core's tests use them too, and a fixtures module depending on core
 * cannot also be a dependency of core's tests (a cycle Maven refuses). A full
 * {@code mvn verify} ({@code ./jns test}) packages the jar before apps compiles its tests; a
 * targeted {@code mvn -pl apps -am test} stops before packaging and the reactor hands apps
 * core's {@code target/test-classes} instead.
 */
package org.jnetstack.testing;
