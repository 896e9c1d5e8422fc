package org.jnetstack.apps.appliance;

import java.util.Map;

/**
 * One kind of service the {@link Appliance} runs from its configuration (echo, discard, the
 * admin page, ...). The appliance starts it when {@link #settings} is non-null, and restarts it
 * when its settings change — so turning a service on or off, or moving its port, from the admin
 * page takes effect without restarting the stack.
 */
public interface ApplianceService {
    /** A short name, as the status shows it: {@code echo}, {@code admin}. */
    String name();

    /** What this service needs from {@code config} (compared with equals to decide a restart), or null when it is off. */
    Object settings(ApplianceConfig config);

    /** Starts the service for {@code settings}; called on a control thread, never the loop thread. */
    Running start(Appliance appliance, Object settings) throws Exception;

    /** A started service. */
    interface Running extends AutoCloseable {
        /** Where it listens, e.g. {@code TCP echo on 10.0.0.2:7}. */
        String listening();

        /** Its counters for the status page; called on the loop thread. */
        default Map<String, Object> status() {
            return Map.of();
        }

        /** Stops it; called on a control thread. */
        @Override
        void close();
    }
}
