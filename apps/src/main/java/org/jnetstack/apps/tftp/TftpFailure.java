package org.jnetstack.apps.tftp;

/** A request or transfer that must end with a TFTP ERROR packet of {@code code} (I/O threads to the loop). */
final class TftpFailure extends Exception {
    final int code;

    TftpFailure(int code, String message) {
        super(message, null, false, false);
        this.code = code;
    }
}
