package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import javax.imageio.ImageIO;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.remote.RemoteWebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The admin page's charts, connection detail view and serial console as a user sees them:
 * {@code jns run --config FILE} on a TAP whose kernel side is in a namespace, with a serial line
 * that is a shell command (it prints a banner, follows a file the test appends to, and writes what
 * it is sent to another file), and headless Chromium in the namespace. While the kernel's nc sends
 * a few Mbit/s to the discard service, the bit-rate chart's pixels change between two screenshots
 * and its unit reads Mbit/s; the nc connection's detail view shows its RTT and a chart; the
 * terminal shows the banner (scrollback) and a line written to the line later (live), and a
 * keystroke typed into the page reaches the line; in a 400 px window nothing scrolls sideways.
 * Screenshots go to {@code interop/target/admin.png} and {@code admin-phone.png} (docs/ has copies).
 */
class AdminChartsAndConsoleInChromiumTest {
    private static final String KERNEL = "10.0.0.1";
    private static final String STACK = "10.0.0.2";
    private static final String PASSWORD = "chromium-test-password";
    private static final int CHROMEDRIVER_PORT = 9516;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @BeforeAll
    static void needsRootChromiumAndChromedriver() {
        Requirements.rootWithTap("ip", "sysctl", "nc", "tail", "chromium", "chromedriver");
    }

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
    }

    @Test
    void chartsMoveWithTrafficTheDetailViewShowsAConnectionAndTheConsoleReadsAndTypes(@TempDir Path dir) throws Exception {
        Path out = Files.writeString(dir.resolve("line-out"), "");
        Path typed = dir.resolve("line-in");
        try (Netns ns = Netns.create()) {
            String tap = Netns.uniqueTapName();
            ns.createTap(tap, KERNEL + "/24");
            Path config = dir.resolve("jns.toml");
            Files.writeString(config, """
                    [interface]
                    name = "%s"
                    [addressing]
                    address = "%s/24"
                    [admin]
                    port = 80
                    password = "%s"
                    [discard]
                    enabled = true
                    [echo]
                    enabled = true
                    [serial]
                    enabled = true
                    exec = "printf 'boot-banner-from-the-line\\\\r\\\\n'; tail -n 0 -f %s & exec cat > %s"
                    """.formatted(tap, STACK, PASSWORD, out, typed));
            Background jns = ns.spawn(Jns.command("run", "--config", config.toString()));
            jns.awaitLine(line -> line.startsWith("jns: admin page on http://" + STACK + ":80/"), WAIT);

            Background chromedriver = ns.spawn("chromedriver", "--port=" + CHROMEDRIVER_PORT);
            chromedriver.awaitLine(line -> line.contains("started successfully"), WAIT);
            try (NamespaceRelay relay = new NamespaceRelay(ns, CHROMEDRIVER_PORT)) {
                WebDriver browser = new RemoteWebDriver(URI.create("http://127.0.0.1:" + relay.port()).toURL(),
                        chromeOptions(dir));
                try {
                    drive(browser, ns, out, typed);
                    measure(browser, jns);
                } finally {
                    browser.quit();
                }
            }
            assertThat(jns.output()).doesNotContain("Exception");
        }
    }

    private void drive(WebDriver browser, Netns ns, Path out, Path typed) throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, WAIT);
        JavascriptExecutor js = (JavascriptExecutor) browser;
        browser.get("http://" + STACK + "/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("password")));
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        browser.findElement(By.id("login")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("settings-section")));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#chart-bits canvas")));

        // A few Mbit/s from the kernel: 1 MB every half second to the discard service, for a while.
        try (Background nc = ns.spawn("sh", "-c", "for i in $(seq 60); do head -c 1000000 /dev/zero; sleep 0.5; done"
                + " | nc -N -w 30 " + STACK + " 9")) {
            wait.until(ExpectedConditions.textToBe(By.id("bits-unit"), "Mbit/s"));
            WebElement chart = browser.findElement(By.id("chart-bits"));
            js.executeScript("arguments[0].scrollIntoView()", chart);
            BufferedImage before = image(chart.getScreenshotAs(OutputType.BYTES));
            Thread.sleep(4000); // two polls: the chart has moved on by a few samples
            BufferedImage after = image(chart.getScreenshotAs(OutputType.BYTES));
            assertThat(differentPixels(before, after)).as("pixels that changed while traffic flowed").isGreaterThan(100);
            assertThat(browser.findElement(By.id("bits-unit")).getText()).isEqualTo("Mbit/s");

            // The nc connection's detail view.
            // The table is redrawn by every poll: a row found just before a redraw is stale, so
            // find and click again until a click lands.
            By ncRow = By.xpath("//table[@id='connections']//tr[td[contains(., '" + STACK + ":9')]]");
            wait.ignoring(StaleElementReferenceException.class).until(d -> {
                WebElement row = ExpectedConditions.elementToBeClickable(ncRow).apply(d);
                if (row == null) {
                    return false;
                }
                row.click();
                return true;
            });
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("conn-detail")));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("conn-title"), STACK + ":9"));
            String detail = browser.findElement(By.id("conn-fields")).getText();
            assertThat(detail).contains("Smoothed RTT").containsPattern("\\d+(\\.\\d+)? (µs|ms)")
                    .contains("Received").containsPattern("\\d+(\\.\\d+)? (KiB|MiB)");
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#chart-conn canvas")));
            browser.manage().window().setSize(new Dimension(1280, 1500)); // room for the detail view in the picture
            Thread.sleep(2500); // a poll redraws the charts at the new size
            screenshot(browser, Path.of("target", "admin.png"), "traffic-section");
        }

        // The console: the scrollback, then a line written to the serial line now, then a keystroke.
        js.executeScript("document.getElementById('console-section').scrollIntoView()");
        wait.until(d -> String.valueOf(js.executeScript("return window.jnsConsoleText && window.jnsConsoleText()"))
                .contains("boot-banner-from-the-line"));
        Files.writeString(out, "live-line-written-to-the-serial-line\r\n", StandardOpenOption.APPEND);
        wait.until(d -> String.valueOf(js.executeScript("return window.jnsConsoleText()"))
                .contains("live-line-written-to-the-serial-line"));
        new Actions(browser).moveToElement(browser.findElement(By.cssSelector("#terminal .xterm"))).click().perform();
        browser.switchTo().activeElement().sendKeys("typed-in-the-browser" + Keys.ENTER);
        wait.until(d -> {
            try {
                return Files.exists(typed) && Files.readString(typed).contains("typed-in-the-browser\r");
            } catch (java.io.IOException e) {
                return false;
            }
        });
        screenshot(browser, Path.of("target", "admin-console.png"), "console-section");

        // A phone-sized window: nothing wider than it.
        browser.manage().window().setSize(new Dimension(400, 900));
        js.executeScript("window.scrollTo(0, 0)");
        wait.until(d -> ((Number) js.executeScript("return window.innerWidth")).intValue() <= 400);
        Thread.sleep(500); // the charts and terminal follow the resize event
        long scrollWidth = ((Number) js.executeScript("return document.documentElement.scrollWidth")).longValue();
        long clientWidth = ((Number) js.executeScript("return document.documentElement.clientWidth")).longValue();
        assertThat(scrollWidth).as("the page's width in a 400 px window").isLessThanOrEqualTo(clientWidth);
        Files.write(Path.of("target", "admin-phone.png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    /**
     * The page's cost, printed (not asserted: it depends on the machine): bytes on the wire per
     * status poll and per history poll as Chromium's resource timing counts them (headers and
     * body), and the appliance's CPU time (utime + stime from /proc) over 20 s with the page open,
     * then 20 s with it closed.
     */
    private static void measure(WebDriver browser, Background jns) throws Exception {
        JavascriptExecutor js = (JavascriptExecutor) browser;
        browser.manage().window().setSize(new Dimension(1280, 1000));
        js.executeScript("performance.clearResourceTimings()");
        long open = cpuTicks(jns.pid());
        Thread.sleep(20_000);
        open = cpuTicks(jns.pid()) - open;
        @SuppressWarnings("unchecked")
        java.util.List<Object> sizes = (java.util.List<Object>) js.executeScript("""
                const e = performance.getEntriesByType('resource');
                const avg = (p) => { const s = e.filter((x) => x.name.includes(p)).map((x) => x.transferSize);
                                     return [s.length, s.length ? Math.round(s.reduce((a, b) => a + b, 0) / s.length) : 0]; };
                return [...avg('/api/status'), ...avg('/api/history')];""");
        browser.get("about:blank");
        Thread.sleep(2000);
        long closed = cpuTicks(jns.pid());
        Thread.sleep(20_000);
        closed = cpuTicks(jns.pid()) - closed;
        System.out.printf("admin page cost: %s status polls of %s bytes, %s history polls of %s bytes on average in 20 s;"
                + " appliance CPU %d ms per 20 s with the page open, %d ms with it closed%n",
                sizes.get(0), sizes.get(1), sizes.get(2), sizes.get(3), open * 10, closed * 10);
    }

    /** utime + stime of {@code pid}, in clock ticks (100 a second on Linux). */
    private static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static BufferedImage image(byte[] png) throws Exception {
        return ImageIO.read(new ByteArrayInputStream(png));
    }

    private static int differentPixels(BufferedImage a, BufferedImage b) {
        int w = Math.min(a.getWidth(), b.getWidth());
        int h = Math.min(a.getHeight(), b.getHeight());
        int n = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (a.getRGB(x, y) != b.getRGB(x, y)) {
                    n++;
                }
            }
        }
        return n;
    }

    private static ChromeOptions chromeOptions(Path dir) {
        ChromeOptions o = new ChromeOptions();
        o.setBinary("/usr/bin/chromium");
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1000", "--user-data-dir=" + dir.resolve("chromium-profile"));
        return o;
    }

    private static void screenshot(WebDriver browser, Path file, String section) throws Exception {
        Files.createDirectories(file.getParent());
        ((JavascriptExecutor) browser).executeScript("document.getElementById(arguments[0]).scrollIntoView()", section);
        Files.write(file, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
