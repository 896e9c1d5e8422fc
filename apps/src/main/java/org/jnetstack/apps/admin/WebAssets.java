package org.jnetstack.apps.admin;

import java.util.Map;

/**
 * The libraries the admin page uses, served from their WebJars on the class path (so the page
 * needs nothing from the Internet): uPlot draws the charts, xterm.js is the serial console's
 * terminal. Their versions here must match apps/pom.xml (a test loads every one). The URLs carry
 * the version, so a browser may keep them: a new version is a new URL.
 */
final class WebAssets {
    static final String UPLOT_VERSION = "1.6.30";
    static final String XTERM_VERSION = "4.9.0";

    /** URL path → class path resource and content type. */
    static final Map<String, Asset> ASSETS = Map.of(
            "/lib/uplot-" + UPLOT_VERSION + ".js", new Asset(
                    "META-INF/resources/webjars/uplot/" + UPLOT_VERSION + "/dist/uPlot.iife.min.js", "text/javascript; charset=utf-8"),
            "/lib/uplot-" + UPLOT_VERSION + ".css", new Asset(
                    "META-INF/resources/webjars/uplot/" + UPLOT_VERSION + "/dist/uPlot.min.css", "text/css; charset=utf-8"),
            "/lib/xterm-" + XTERM_VERSION + ".js", new Asset(
                    "META-INF/resources/webjars/xterm/" + XTERM_VERSION + "/lib/xterm.js", "text/javascript; charset=utf-8"),
            "/lib/xterm-" + XTERM_VERSION + ".css", new Asset(
                    "META-INF/resources/webjars/xterm/" + XTERM_VERSION + "/css/xterm.css", "text/css; charset=utf-8"));

    record Asset(String resource, String contentType) {
    }

    private WebAssets() {
    }
}
