package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.jnetstack.apps.appliance.ConfigFile;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.CommandResult;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.RemoteWebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The admin page as a user sees it: {@code jns run --config FILE} on a TAP whose kernel side is
 * in a namespace, and Debian's headless Chromium in that namespace, driven through chromedriver
 * (also in the namespace, reached through a {@link NamespaceRelay}). The browser logs in (after
 * a wrong password is refused), moves the echo service to another port, turns it off, and turns
 * the web files on; the kernel's nc and curl see each change take effect, the page shows it, and
 * the config file holds it (and nothing the user did not change).
 * A screenshot goes to {@code interop/target/admin.png} (docs/admin.png is a copy of one).
 */
class AdminPageInChromiumTest {
    private static final String KERNEL = "10.0.0.1";
    private static final String STACK = "10.0.0.2";
    private static final String PASSWORD = "chromium-test-password";
    private static final int CHROMEDRIVER_PORT = 9515;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @BeforeAll
    static void needsRootChromiumAndChromedriver() {
        Requirements.rootWithTap("ip", "sysctl", "nc", "curl", "chromium", "chromedriver");
    }

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
    }

    @Test
    void logInMoveTheEchoServiceThenTurnItOff(@TempDir Path dir) throws Exception {
        try (Netns ns = Netns.create()) {
            String tap = Netns.uniqueTapName();
            ns.createTap(tap, KERNEL + "/24");
            Path site = Files.createDirectory(dir.resolve("site"));
            Files.writeString(site.resolve("hello.txt"), "served once the page turned www on\n");
            Path config = dir.resolve("jns.toml");
            Files.writeString(config, """
                    [interface]
                    name = "%s"
                    [addressing]
                    address = "%s/24"
                    [admin]
                    port = 80
                    password = "%s"
                    [echo]
                    enabled = true
                    port = 7
                    [www]
                    enabled = false
                    root = "%s"
                    """.formatted(tap, STACK, PASSWORD, site));
            Background jns = ns.spawn(Jns.command("run", "--config", config.toString()));
            jns.awaitLine(line -> line.startsWith("jns: admin page on http://" + STACK + ":80/"), WAIT);
            assertThat(echo(ns, 7, "before")).isEqualTo("before");

            Background chromedriver = ns.spawn("chromedriver", "--port=" + CHROMEDRIVER_PORT);
            chromedriver.awaitLine(line -> line.contains("started successfully"), WAIT);
            try (NamespaceRelay relay = new NamespaceRelay(ns, CHROMEDRIVER_PORT)) {
                WebDriver browser = new RemoteWebDriver(URI.create("http://127.0.0.1:" + relay.port()).toURL(),
                        chromeOptions(dir));
                try {
                    drive(browser, ns);
                } finally {
                    browser.quit();
                }
            }

            // Written back to the file: a restart keeps what the page set.
            var saved = ConfigFile.load(config, Map.of()).current();
            assertThat(saved.echo().enabled()).isFalse();
            assertThat(saved.echo().port()).isEqualTo(2007);
            assertThat(saved.www().enabled()).isTrue();
            assertThat(Files.readString(config)).doesNotContain(PASSWORD).contains("password_hash")
                    .as("only what was changed is written: no tables for untouched services")
                    .doesNotContain("[discard]").doesNotContain("[tftp]").doesNotContain("[serial]");
            assertThat(jns.output()).doesNotContain("Exception");
        }
    }

    private void drive(WebDriver browser, Netns ns) throws Exception {
        WebDriverWait wait = new WebDriverWait(browser, WAIT);
        browser.get("http://" + STACK + "/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("password")));
        assertThat(browser.findElement(By.id("settings-section")).isDisplayed()).as("settings before login").isFalse();

        logIn(browser, "not-the-password");
        wait.until(ExpectedConditions.textToBe(By.id("message"), "wrong password"));
        assertThat(browser.findElement(By.id("settings-section")).isDisplayed()).isFalse();

        logIn(browser, PASSWORD);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("settings-section")));
        WebElement port = browser.findElement(By.id("set-echo-port"));
        wait.until(ExpectedConditions.attributeToBe(port, "value", "7"));
        assertThat(browser.findElement(By.id("set-echo")).isSelected()).isTrue();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("services"), "echo on UDP and TCP " + STACK + ":7"));
        // IPv6 is on by default: the link-local address shows once duplicate address detection passed.
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("ipv6-addresses"), "preferred"));
        assertThat(browser.findElement(By.id("ipv6-addresses")).getText()).contains("fe80::").contains("link-local");

        // Move echo from 7 to 2007.
        port.clear();
        port.sendKeys("2007");
        browser.findElement(By.id("save")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "Applied: echo."));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("services"), "echo on UDP and TCP " + STACK + ":2007"));
        assertThat(echo(ns, 2007, "moved")).isEqualTo("moved");
        assertThat(refused(ns, 7)).as("nothing listens on 7 any more").isTrue();
        screenshot(browser, Path.of("target", "admin.png"));

        // Turn it off.
        browser.findElement(By.id("set-echo")).click();
        browser.findElement(By.id("save")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "Applied: echo."));
        wait.until(ExpectedConditions.not(
                ExpectedConditions.textToBePresentInElementLocated(By.id("services"), "echo on UDP and TCP")));
        assertThat(browser.findElement(By.id("set-echo")).isSelected()).isFalse();
        assertThat(refused(ns, 2007)).as("echo is off").isTrue();

        // Turn the web files on: served at once on their default port.
        assertThat(refused(ns, 8000)).isTrue();
        browser.findElement(By.id("set-www")).click();
        browser.findElement(By.id("save")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("message"), "Applied: www."));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("services"), "web files on http://" + STACK + ":8000/"));
        CommandResult curl = ns.run(Duration.ofSeconds(30), "curl", "-sS", "--fail", "http://" + STACK + ":8000/hello.txt");
        assertThat(curl.stdout()).as(curl.describe()).isEqualTo("served once the page turned www on\n");
    }

    private static void logIn(WebDriver browser, String password) {
        WebElement field = browser.findElement(By.id("password"));
        field.clear();
        field.sendKeys(password);
        browser.findElement(By.id("login")).click();
    }

    private static ChromeOptions chromeOptions(Path dir) {
        ChromeOptions o = new ChromeOptions();
        o.setBinary("/usr/bin/chromium");
        // As root Chromium needs --no-sandbox; no GPU and no /dev/shm assumptions in a test machine.
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,2150", "--user-data-dir=" + dir.resolve("chromium-profile"));
        return o;
    }

    private static void screenshot(WebDriver browser, Path file) throws Exception {
        Files.createDirectories(file.getParent());
        ((JavascriptExecutor) browser).executeScript("window.scrollTo(0, 0)");
        Files.write(file, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    /** What the stack's TCP echo on {@code port} sends back for one line, from the kernel's nc. */
    private static String echo(Netns ns, int port, String text) {
        CommandResult r = ns.run(Duration.ofSeconds(30), "sh", "-c", "echo " + text + " | nc -N -w 10 " + STACK + " " + port);
        assertThat(r.exitStatus()).as(r.describe()).isZero();
        return r.stdout().trim();
    }

    /** True when a TCP connection to {@code port} is refused (the stack answers RST). */
    private static boolean refused(Netns ns, int port) {
        CommandResult r = ns.run(Duration.ofSeconds(30), "nc", "-z", "-v", "-w", "10", STACK, Integer.toString(port));
        return r.exitStatus() != 0 && (r.stdout() + r.stderr()).contains("refused");
    }
}
