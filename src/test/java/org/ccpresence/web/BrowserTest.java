package org.ccpresence.web;

import static org.ccpresence.support.Fixtures.agentInput;
import static org.ccpresence.support.Fixtures.createWorkstream;
import static org.ccpresence.support.Fixtures.offerWork;
import static org.ccpresence.support.Fixtures.required;
import static org.ccpresence.support.Fixtures.setPresence;
import static org.ccpresence.support.Fixtures.signIn;
import static org.ccpresence.support.Fixtures.signOut;
import static org.ccpresence.support.GraphQL.post;
import static org.ccpresence.support.GraphQL.postAs;
import static org.ccpresence.support.GraphQL.unique;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.ccpresence.support.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;

/** The admin console and the agent desktop in headless Chromium (Debian's chromium and chromium-driver). */
@QuarkusTest
class BrowserTest {

    static WebDriver browser;

    @BeforeAll
    static void openBrowser() {
        String chromium = System.getProperty("chromium.binary", "/usr/bin/chromium");
        String driver = System.getProperty("chromedriver", "/usr/bin/chromedriver");
        if (!Files.isExecutable(Path.of(chromium)) || !Files.isExecutable(Path.of(driver))) {
            throw new MissingBrowser("The browser tests need Chromium (" + chromium + ") and chromedriver (" + driver
                    + "): install them (Debian/Ubuntu: apt-get install chromium chromium-driver) or pass -Dchromium.binary=… -Dchromedriver=….");
        }
        ChromeOptions options = new ChromeOptions().setBinary(chromium)
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--window-size=1280,800");
        org.openqa.selenium.logging.LoggingPreferences logs = new org.openqa.selenium.logging.LoggingPreferences();
        logs.enable(org.openqa.selenium.logging.LogType.BROWSER, java.util.logging.Level.ALL);
        options.setCapability("goog:loggingPrefs", logs); // the console, for the tests that check it stays clean
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(driver).toFile()).build();
        browser = new ChromeDriver(service, options);
    }

    /** A failure whose message says all: what to install. Its stack trace would only bury it. */
    static final class MissingBrowser extends AssertionError {
        MissingBrowser(String message) {
            super(message);
            setStackTrace(new StackTraceElement[0]);
        }
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    static String url(String path) {
        return "http://localhost:" + RestAssured.port + path;
    }

    static WebDriverWait waiting() {
        return new WebDriverWait(browser, Duration.ofSeconds(15));
    }

    /** Opens a page and gives it a token the way a person does: paste, then "Use token". */
    static void open(String path, String token) {
        browser.get(url(path));
        WebElement input = waiting().until(ExpectedConditions.elementToBeClickable(By.id("token-input")));
        input.clear();
        input.sendKeys(token);
        browser.findElement(By.cssSelector(".token-bar button[type=submit]")).click();
        waiting().until(ExpectedConditions.textToBe(By.id("live"), "Live"));
    }

    /** The console's errors (failed requests included) since the last call, from pages of the given origin. */
    static List<String> consoleErrors(String origin) {
        return browser.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
                .map(org.openqa.selenium.logging.LogEntry::getMessage).filter(message -> message.contains(origin)).toList();
    }

    static void screenshot(String name) throws Exception {
        Path dir = Path.of("target", "screenshots");
        Files.createDirectories(dir);
        Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), dir.resolve(name + ".png"),
                StandardCopyOption.REPLACE_EXISTING);
    }

    static void type(String id, String text) {
        WebElement field = browser.findElement(By.id(id));
        field.clear();
        field.sendKeys(text);
    }

    /**
     * Chooses an option as a person at the keyboard does: focus the list and type the option's text. Clicking the
     * option element through the driver fires no {@code input} event in Chromium 156 (only {@code change}), which the
     * admin console's live warning preview listens to.
     */
    static void choose(String id, String visibleText) {
        WebElement list = browser.findElement(By.id(id));
        list.sendKeys(visibleText);
        assertEquals(visibleText, new Select(list).getFirstSelectedOption().getText(), "chosen in #" + id);
    }

    /** The text of the first row containing {@code text}, once there is one (tables re-render as data changes). */
    static String row(String tableId, String text) {
        return waiting().ignoring(StaleElementReferenceException.class)
                .until(d -> d.findElements(By.cssSelector("#" + tableId + " tbody tr")).stream()
                        .map(WebElement::getText).filter(t -> t.contains(text)).findFirst().orElse(null));
    }

    /** How many buttons the first row containing {@code text} has. */
    static int buttonsInRow(String tableId, String text) {
        return waiting().ignoring(StaleElementReferenceException.class)
                .until(d -> d.findElements(By.cssSelector("#" + tableId + " tbody tr")).stream()
                        .filter(r -> r.getText().contains(text)).findFirst()
                        .map(r -> r.findElements(By.tagName("button")).size()).orElse(null));
    }

    record Agent(String id, String userId) {
    }

    static Agent agent(List<String> workstreams) {
        String userId = unique("desk");
        String id = required(post("mutation($in: AgentInput!) { createAgent(input: $in) { id } }", "in",
                agentInput(userId, "Desk " + userId.substring(5), null, workstreams)), "data.createAgent.id");
        return new Agent(id, userId);
    }

    /** The pages' reconnect pauses, as the pages compute them: growing, and spread so that dropped desktops do not return at once. */
    @Test
    void reconnectPausesGrowAndAreSpreadOut() {
        open("/wallboard/", Tokens.supervisor());
        @SuppressWarnings("unchecked")
        List<List<Number>> pauses = (List<List<Number>>) ((org.openqa.selenium.JavascriptExecutor) browser).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                import('/shared/api.js').then(({ reconnectPause }) =>
                  done([0, 1, 2, 3, 4, 5, 8].map((n) => Array.from({ length: 200 }, () => reconnectPause(n)))));""");
        double[] ceilings = { 500, 1000, 2000, 4000, 8000, 10_000, 10_000 };
        for (int n = 0; n < ceilings.length; n++) {
            double ceiling = ceilings[n];
            List<Double> drawn = pauses.get(n).stream().map(Number::doubleValue).sorted().toList();
            assertTrue(drawn.get(0) >= ceiling / 2 && drawn.get(drawn.size() - 1) <= ceiling, "attempt " + n + ": " + drawn);
            // 200 draws spread over the upper half: the first and last quarter of that range are both reached
            assertTrue(drawn.get(0) < ceiling * 0.625 && drawn.get(drawn.size() - 1) > ceiling * 0.875, "attempt " + n + ": " + drawn);
        }
    }

    /**
     * Outside dev mode the pages never ask for the dev-only token helper (it answered 404 on every page view), and
     * everything they do ask for is there.
     */
    @Test
    void outsideDevModeThePagesRequestNothingThatIsNotThere() throws Exception {
        Agent agent = agent(null);
        for (String page : List.of("/admin/", "/desktop/", "/wallboard/")) {
            open(page, page.equals("/desktop/") ? Tokens.agent(agent.userId()) : Tokens.admin());
            Thread.sleep(500);
            @SuppressWarnings("unchecked")
            List<String> requested = (List<String>) ((org.openqa.selenium.JavascriptExecutor) browser)
                    .executeScript("return performance.getEntriesByType('resource').map(e => e.name)");
            assertTrue(requested.stream().noneMatch(url -> url.contains("/dev/")), page + " requested " + requested);
            for (String url : requested.stream().filter(url -> !url.endsWith("/graphql")).toList()) {
                assertEquals(200, io.restassured.RestAssured.given().get(java.net.URI.create(url).getPath()).statusCode(),
                        page + " requested " + url);
            }
        }
    }

    @Test
    void adminCreatesACustomPresenceAndSeesItInTheTable() throws Exception {
        open("/admin/", Tokens.admin());
        String name = unique("Away – Training");
        type("presence-name", name);
        type("presence-text", "In training");
        choose("presence-base", "AWAY");
        type("presence-description", "Weekly product training");
        browser.findElement(By.cssSelector("#presence-form button[type=submit]")).click();
        assertThat(row("presences", name), containsString("Custom"));
        screenshot("admin-presences");
    }

    @Test
    void aDuplicateNameShowsTheApiErrorAndKeepsTheInput() throws Exception {
        String taken = unique("Lunch");
        post("mutation($in: PresenceInput!) { createPresence(input: $in) { id } }", "in",
                Map.of("name", taken, "presenceText", "Lunch", "baseStatus", "AWAY"));
        open("/admin/", Tokens.admin());
        type("presence-name", taken.toUpperCase());
        type("presence-text", "Lunch again");
        browser.findElement(By.cssSelector("#presence-form button[type=submit]")).click();
        WebElement error = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("presence-error")));
        waiting().until(d -> !error.getText().isBlank());
        assertThat(error.getText(), containsString("already exists"));
        assertEquals(taken.toUpperCase(), browser.findElement(By.id("presence-name")).getAttribute("value"));
        assertEquals("Lunch again", browser.findElement(By.id("presence-text")).getAttribute("value"));
        screenshot("admin-duplicate-name");
    }

    /** The preview asks once typing pauses, and shows the answer to the latest input (it once showed a stale one). */
    @Test
    void theWarningPreviewAsksOnceTypingPausesAndShowsTheLatestAnswer() throws Exception {
        open("/admin/", Tokens.admin());
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("performance.clearResourceTimings()");
        type("presence-name", unique("Training"));
        type("presence-text", "Available – Training");
        choose("presence-base", "OFFLINE");
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("presence-warning"), "reads like AVAILABLE"));
        Thread.sleep(1000);
        assertThat(browser.findElement(By.id("presence-warning")).getText(), containsString("reads like AVAILABLE"));
        Object asked = ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
                "return performance.getEntriesByType('resource').filter(e => e.name.endsWith('/graphql')).length");
        // one question per pause: the two fields are typed one after the other, then the base status is chosen
        assertTrue(((Number) asked).intValue() <= 6, "asked " + asked + " times for 30 keystrokes and a choice");
    }

    @Test
    void theMappingWarningAppearsBeforeSavingAndInTheTable() throws Exception {
        open("/admin/", Tokens.admin());
        String name = unique("Training");
        type("presence-name", name);
        choose("presence-base", "OFFLINE");
        type("presence-text", "Available – Training");
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("presence-warning"), "reads like AVAILABLE"));
        screenshot("admin-mapping-warning");
        browser.findElement(By.cssSelector("#presence-form button[type=submit]")).click();
        assertThat(row("presences", name), containsString("reads like AVAILABLE"));
    }

    @Test
    void systemPresencesCannotBeEdited() {
        open("/admin/", Tokens.admin());
        assertThat(row("presences", "Ready to take work."), containsString("System (read-only)"));
        assertEquals(0, buttonsInRow("presences", "Ready to take work."), "no edit or delete on system presences");
        assertEquals(2, buttonsInRow("presences", "Custom"), "custom presences have edit and delete");
    }

    @Test
    void anAdminCreatesAWorkstreamWithAllowedPresences() throws Exception {
        open("/admin/", Tokens.admin());
        String name = unique("Chat");
        type("workstream-name", name);
        browser.findElement(By.cssSelector("#workstream-form input[value=BUSY]")).click();
        browser.findElement(By.cssSelector("#workstream-form input[value=AWAY]")).click();
        browser.findElement(By.id("workstream-missed")).click();
        type("workstream-timeout", "30");
        assertTrue(browser.findElements(By.cssSelector("#workstream-form input[value=OFFLINE]")).isEmpty(), "OFFLINE is not offered");
        browser.findElement(By.cssSelector("#workstream-form button[type=submit]")).click();
        String text = row("workstreams", name);
        assertThat(text, containsString("AVAILABLE, AWAY"));
        assertThat(text, containsString("On"));
        screenshot("admin-workstreams");
    }

    @Test
    void theAgentsTableFollowsChangesMadeElsewhere() throws Exception {
        Agent agent = agent(null);
        signIn(agent.id());
        open("/admin/", Tokens.supervisor());
        row("agents", agent.userId().substring(5));
        setPresence(agent.id(), 3);
        waiting().until(d -> row("agents", agent.userId().substring(5)).contains("Busy – DND"));
        screenshot("admin-agents-live");
    }

    @Test
    void aSupervisorSetsAnAgentsPresenceFromTheTable() {
        Agent agent = agent(null);
        signIn(agent.id());
        open("/admin/", Tokens.supervisor());
        row("agents", agent.userId().substring(5));
        WebElement select = waiting().until(ExpectedConditions.elementToBeClickable(By.id("set-" + agent.id())));
        select.click();
        new Select(browser.findElement(By.id("set-" + agent.id()))).selectByVisibleText("Away");
        waiting().until(d -> "Away".equals(post("query($id: ID!) { agent(id: $id) { presence { name } } }", "id", agent.id())
                .getString("data.agent.presence.name")));
        assertEquals("SUPERVISOR", post("query($a: ID!) { presenceHistory(agentId: $a, first: 1) { cause } }", "a", agent.id())
                .getString("data.presenceHistory[0].cause"));
    }

    @Test
    void theDesktopPicksPresencesAndTheAdminSeesIt() throws Exception {
        Agent agent = agent(null);
        open("/admin/", Tokens.admin());
        String admin = browser.getWindowHandle();
        browser.switchTo().newWindow(org.openqa.selenium.WindowType.TAB);
        open("/desktop/", Tokens.agent(agent.userId()));
        List<String> choices = new Select(browser.findElement(By.id("picker"))).getOptions().stream().map(WebElement::getText).toList();
        assertThat(choices.toString(), not(containsString("Inactive")));
        assertTrue(choices.contains("Away"));
        browser.findElement(By.id("sign-in")).click();
        waiting().until(ExpectedConditions.textToBe(By.id("current"), "Available"));
        new Select(browser.findElement(By.id("picker"))).selectByVisibleText("Away");
        browser.findElement(By.cssSelector("#picker-form button[type=submit]")).click();
        waiting().until(ExpectedConditions.textToBe(By.id("current"), "Away"));
        screenshot("desktop-presence");
        browser.close();
        browser.switchTo().window(admin);
        waiting().until(d -> row("agents", agent.userId().substring(5)).contains("Away"));
    }

    /** Offers the item to the workstream's (one) agent and waits for its card on the open desktop. */
    static By offeredCard(String workstream, String item) {
        String offer = required(offerWork(workstream, item), "data.offerWork.id");
        By card = By.cssSelector("[data-offer='" + offer + "']");
        waiting().until(ExpectedConditions.visibilityOfElementLocated(card));
        return card;
    }

    @Test
    void anOfferAppearsWithACountdownIsAcceptedAndCompleted() throws Exception {
        String ws = createWorkstream(Map.of("allowedPresences", List.of("AVAILABLE"), "capacityPerItem", 100));
        Agent agent = agent(List.of(ws));
        signIn(agent.id());
        open("/desktop/", Tokens.agent(agent.userId()));
        waiting().until(ExpectedConditions.textToBe(By.id("capacity"), "Capacity in use: 0 of 100"));
        String item = unique("conversation");
        By card = offeredCard(ws, item);
        assertThat(browser.findElement(card).getText(), containsString(item));
        waiting().until(d -> d.findElement(card).findElement(By.className("countdown")).getText().matches("\\d+ s left"));
        screenshot("desktop-offer");
        browser.findElement(card).findElement(By.cssSelector("[data-accept]")).click();

        waiting().until(ExpectedConditions.textToBe(By.id("capacity"), "Capacity in use: 100 of 100"));
        waiting().until(ExpectedConditions.textToBe(By.id("current"), "Busy"));
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("current-detail"), "your capacity is full"));
        WebElement complete = waiting().ignoring(StaleElementReferenceException.class)
                .until(d -> d.findElement(card).findElement(By.cssSelector("[data-complete]")));
        assertEquals("Complete", complete.getText());
        screenshot("desktop-accepted");
        complete.click();
        waiting().until(ExpectedConditions.invisibilityOfElementLocated(card));
        waiting().until(ExpectedConditions.textToBe(By.id("current"), "Available"));
        waiting().until(ExpectedConditions.textToBe(By.id("capacity"), "Capacity in use: 0 of 100"));
        assertEquals("COMPLETED", post("query($i: String) { offers(workItem: $i) { state } }", "i", item).getString("data.offers[0].state"));
    }

    @Test
    void theDesktopRejectsWithAReasonAndShowsTheWrapUpWithADoneButton() throws Exception {
        String ws = createWorkstream(Map.of("allowedPresences", List.of("AVAILABLE"), "wrapUpSeconds", 600));
        Agent agent = agent(List.of(ws));
        signIn(agent.id());
        open("/desktop/", Tokens.agent(agent.userId()));
        waiting().until(ExpectedConditions.textToBe(By.id("current"), "Available"));

        String rejected = unique("conversation");
        By firstCard = offeredCard(ws, rejected);
        browser.findElement(firstCard).findElement(By.cssSelector("[data-reason-for]")).sendKeys("Needs a Danish speaker");
        browser.findElement(firstCard).findElement(By.cssSelector("[data-reject]")).click();
        waiting().until(ExpectedConditions.invisibilityOfElementLocated(firstCard));
        assertEquals("Needs a Danish speaker", post("query($i: String) { offers(workItem: $i) { rejectReason } }", "i", rejected)
                .getString("data.offers[0].rejectReason"));

        String item = unique("conversation");
        By card = offeredCard(ws, item);
        waiting().ignoring(StaleElementReferenceException.class).until(d -> d.findElement(card).findElement(By.cssSelector("[data-accept]"))).click();
        waiting().ignoring(StaleElementReferenceException.class).until(d -> d.findElement(card).findElement(By.cssSelector("[data-complete]"))).click();
        WebElement done = waiting().ignoring(StaleElementReferenceException.class)
                .until(d -> "WRAP_UP".equals(d.findElement(card).getAttribute("data-state")) ? d.findElement(card).findElement(By.cssSelector("[data-complete]")) : null);
        assertEquals("Done", done.getText());
        assertThat(browser.findElement(card).getText(), containsString("Wrapping up"));
        waiting().until(d -> d.findElement(card).findElement(By.className("countdown")).getText().matches("\\d+ s left"));
        screenshot("desktop-wrap-up");
        done.click();
        waiting().until(ExpectedConditions.invisibilityOfElementLocated(card));
        assertEquals("COMPLETED", post("query($i: String) { offers(workItem: $i) { state } }", "i", item).getString("data.offers[0].state"));
    }

    @Test
    void theAdminSetsWrapUpAndThePresenceAfterARejection() throws Exception {
        open("/admin/", Tokens.admin());
        String name = unique("Voice");
        type("workstream-name", name);
        type("workstream-wrap-up", "45");
        choose("workstream-after-reject", "Away");
        browser.findElement(By.cssSelector("#workstream-form button[type=submit]")).click();
        String text = row("workstreams", name);
        assertThat(text, containsString("45"));
        assertThat(text, containsString("Away"));
        JsonPath saved = post("{ workstreams { name wrapUpSeconds presenceAfterReject { id } } }");
        assertEquals(45, saved.getInt("data.workstreams.find { it.name == '" + name + "' }.wrapUpSeconds"));
        assertEquals("4", saved.getString("data.workstreams.find { it.name == '" + name + "' }.presenceAfterReject.id"));
    }

    /** The desktop chose over a version it saw; a supervisor's change crossed it: the desktop says so and offers to apply. */
    @Test
    void theDesktopShowsWhoChangedThePresenceOnAConflictAndAppliesTheChoiceAgain() throws Exception {
        Agent agent = agent(null);
        signIn(agent.id());
        open("/desktop/", Tokens.agent(agent.userId()));
        waiting().until(ExpectedConditions.textToBe(By.id("current"), "Available"));
        // the desktop hears nothing more (as if its network dropped just then), and a supervisor changes the presence
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("window.presenceDesktop.client.dispose()");
        postAs(Tokens.supervisor(), "mutation($a: ID, $p: ID!) { setPresence(agentId: $a, presenceId: $p) { id } }",
                "a", agent.id(), "p", 3);
        new Select(browser.findElement(By.id("picker"))).selectByVisibleText("Away");
        browser.findElement(By.cssSelector("#picker-form button[type=submit]")).click();

        WebElement conflict = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("conflict")));
        assertThat(conflict.getText(), containsString("changed by a supervisor to Busy – DND"));
        assertThat(conflict.getText(), containsString("Away was not applied"));
        waiting().until(ExpectedConditions.textToBe(By.id("current"), "Busy – DND"));
        screenshot("desktop-conflict");
        assertEquals("3", post("query($a: ID!) { agent(id: $a) { presence { id } } }", "a", agent.id()).getString("data.agent.presence.id"));

        browser.findElement(By.id("apply-again")).click();
        waiting().until(ExpectedConditions.textToBe(By.id("current"), "Away"));
        waiting().until(ExpectedConditions.invisibilityOfElementLocated(By.id("conflict")));
        assertEquals("4", post("query($a: ID!) { agent(id: $a) { presence { id } } }", "a", agent.id()).getString("data.agent.presence.id"));
    }

    @Test
    void theAdminFormSaysWhenSomeoneElseSavedFirstAndKeepsTheInput() throws Exception {
        String name = unique("Coaching");
        String id = required(post("mutation($in: PresenceInput!) { createPresence(input: $in) { id } }", "in",
                Map.of("name", name, "presenceText", "Coaching", "baseStatus", "BUSY")), "data.createPresence.id");
        open("/admin/", Tokens.admin());
        row("presences", name);
        browser.findElement(By.cssSelector("#presences [data-edit='" + id + "']")).click();
        post("mutation($id: ID!, $in: PresenceInput!) { updatePresence(id: $id, input: $in) { id } }", "id", id,
                "in", Map.of("name", name + " (theirs)", "presenceText", "Coaching", "baseStatus", "BUSY"));
        String mine = "Coaching " + unique("colleague");
        type("presence-text", mine);
        browser.findElement(By.cssSelector("#presence-form button[type=submit]")).click();

        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("presence-error"), "Someone else saved presence"));
        assertThat(browser.findElement(By.id("presence-error")).getText(), containsString("version 2"));
        assertEquals(mine, browser.findElement(By.id("presence-text")).getAttribute("value"));
        assertThat(row("presences", name + " (theirs)"), containsString("Coaching"));
        screenshot("admin-saved-first");

        browser.findElement(By.cssSelector("#presence-form button[type=submit]")).click();
        assertThat(row("presences", mine), containsString(name));
        assertEquals(3, post("query($id: ID!) { presence(id: $id) { version } }", "id", id).getInt("data.presence.version"));
    }

    @Test
    void theDesktopCountsDownATimeLimitedPresenceAndSaysWhenItEnded() throws Exception {
        String name = unique("Break");
        required(post("mutation($in: PresenceInput!) { createPresence(input: $in) { id } }", "in", Map.of("name", name,
                "presenceText", "On a break", "baseStatus", "AWAY", "timeLimitSeconds", 4, "thenPresenceId", "2")), "data.createPresence.id");
        Agent agent = agent(null);
        signIn(agent.id());
        open("/desktop/", Tokens.agent(agent.userId()));
        new Select(browser.findElement(By.id("picker"))).selectByVisibleText(name);
        browser.findElement(By.cssSelector("#picker-form button[type=submit]")).click();
        waiting().until(ExpectedConditions.textToBe(By.id("current"), name));
        waiting().until(ExpectedConditions.textMatches(By.id("until"), java.util.regex.Pattern.compile("Ends in 0:0[1-4]")));
        screenshot("desktop-countdown");
        waiting().until(ExpectedConditions.textToBe(By.id("current"), "Busy"));
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("current-detail"), name + " ended"));
        waiting().until(ExpectedConditions.invisibilityOfElementLocated(By.id("until")));
        screenshot("desktop-break-ended");
    }

    @Test
    void theDesktopSaysHowManyOffersWereMissed() throws Exception {
        String ws = createWorkstream(Map.of("allowedPresences", List.of("AVAILABLE", "AWAY"), "missedNotifications", true,
                "offerTimeoutSeconds", 5, "missesToInactive", 2));
        Agent agent = agent(List.of(ws));
        signIn(agent.id());
        open("/desktop/", Tokens.agent(agent.userId()));
        for (int miss = 1; miss <= 2; miss++) {
            String offer = required(offerWork(ws, unique("missed")), "data.offerWork.id");
            By card = By.cssSelector("[data-offer='" + offer + "']");
            waiting().until(ExpectedConditions.visibilityOfElementLocated(card));
            new WebDriverWait(browser, Duration.ofSeconds(15)).until(ExpectedConditions.invisibilityOfElementLocated(card));
        }
        waiting().until(ExpectedConditions.textToBe(By.id("current"), "Inactive"));
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("current-detail"), "2 offers missed"));
        screenshot("desktop-offers-missed");
    }

    @Test
    void theAdminSetsTimeLimitsAndMissPolicies() throws Exception {
        open("/admin/", Tokens.admin());
        String name = unique("Lunch");
        type("presence-name", name);
        type("presence-text", "At lunch");
        choose("presence-base", "AWAY");
        type("presence-limit", "30");
        new Select(browser.findElement(By.id("presence-then"))).selectByVisibleText("Away");
        browser.findElement(By.cssSelector("#presence-form button[type=submit]")).click();
        assertThat(row("presences", name), containsString("30 min → Away"));
        JsonPath saved = post("{ presences { name timeLimitSeconds thenPresence { id } } }");
        assertEquals(1800, (Integer) saved.get("data.presences.find { it.name == '" + name + "' }.timeLimitSeconds"));
        assertEquals("4", saved.getString("data.presences.find { it.name == '" + name + "' }.thenPresence.id"));

        String ws = unique("Chat");
        type("workstream-name", ws);
        browser.findElement(By.id("workstream-missed")).click();
        type("workstream-to-inactive", "2");
        type("workstream-to-sign-out", "4");
        browser.findElement(By.cssSelector("#workstream-form button[type=submit]")).click();
        assertThat(row("workstreams", ws), containsString("On: Inactive after 2, signed out after 4"));
        screenshot("admin-self-managing");

        String id = post("{ presences { id name } }").getString("data.presences.find { it.name == '" + name + "' }.id");
        browser.findElement(By.cssSelector("#presences [data-edit='" + id + "']")).click();
        assertEquals("30", browser.findElement(By.id("presence-limit")).getAttribute("value"));
        browser.findElement(By.id("presence-limit")).clear();
        browser.findElement(By.cssSelector("#presence-form button[type=submit]")).click();
        waiting().until(d -> !row("presences", name).contains("min →"));
        assertEquals((Object) null, post("query($id: ID!) { presence(id: $id) { timeLimitSeconds } }", "id", id)
                .get("data.presence.timeLimitSeconds"), "a cleared field clears the limit");
    }

    /** The wallboard's count of a workstream's agents in a base status. */
    static String wallboardCount(String workstream, String status) {
        return waiting().ignoring(StaleElementReferenceException.class).ignoring(org.openqa.selenium.NoSuchElementException.class)
                .until(d -> d.findElement(By.cssSelector("#workstreams tr[data-workstream='" + workstream + "'] td[data-status='"
                        + status + "']")).getText());
    }

    static void awaitWallboard(String workstream, String status, String count) {
        waiting().until(d -> count.equals(wallboardCount(workstream, status)));
    }

    @Test
    void theWallboardCountsTheFloorLiveAcrossAReconnectAndListsWhoIsInactive() throws Exception {
        String ws = createWorkstream(List.of("AVAILABLE"), false, 60);
        String missing = createWorkstream(Map.of("allowedPresences", List.of("AVAILABLE"), "missedNotifications", true,
                "offerTimeoutSeconds", 5));
        Agent first = agent(List.of(ws));
        Agent second = agent(List.of(ws));
        Agent absent = agent(List.of(missing));
        signIn(first.id());
        signIn(absent.id());
        open("/wallboard/", Tokens.supervisor());
        awaitWallboard(ws, "AVAILABLE", "1");
        signIn(second.id());
        awaitWallboard(ws, "AVAILABLE", "2");
        setPresence(second.id(), 3);
        awaitWallboard(ws, "AVAILABLE", "1");
        awaitWallboard(ws, "BUSY_DND", "1");

        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("window.presenceWallboard.client.terminate()");
        setPresence(first.id(), 2); // while the board has no connection
        awaitWallboard(ws, "AVAILABLE", "0");
        awaitWallboard(ws, "BUSY", "1");
        waiting().until(ExpectedConditions.textToBe(By.id("live"), "Live"));

        required(offerWork(missing, unique("unanswered")), "data.offerWork.id");
        By inactive = By.cssSelector("#inactive tr[data-agent='" + absent.id() + "']");
        String since = new WebDriverWait(browser, Duration.ofSeconds(20)).ignoring(StaleElementReferenceException.class)
                .until(ExpectedConditions.visibilityOfElementLocated(inactive)).getText();
        assertThat(since, org.hamcrest.Matchers.matchesPattern("Desk .* \\d+:\\d\\d"));
        signOut(second.id());
        awaitWallboard(ws, "BUSY_DND", "0");
        screenshot("wallboard");
    }

    /** What the API says: signed-in agents of the workstream per base status. */
    static java.util.Map<String, Long> floorOf(String workstream) {
        List<String> statuses = post("query($w: ID) { agents(filter: {workstreamId: $w, signedIn: true}, first: 1000) { presence { baseStatus } } }",
                "w", workstream).getList("data.agents.presence.baseStatus", String.class);
        java.util.Map<String, Long> floor = new java.util.TreeMap<>();
        for (String status : List.of("AVAILABLE", "BUSY", "BUSY_DND", "AWAY", "OFFLINE")) {
            floor.put(status, statuses.stream().filter(status::equals).count());
        }
        return floor;
    }

    static void awaitWallboardMatches(String workstream) {
        java.util.Map<String, Long> api = floorOf(workstream);
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> api.entrySet().stream()
                .allMatch(e -> Long.toString(e.getValue()).equals(wallboardCount(workstream, e.getKey()))));
    }

    /** 500 changes in a burst, then changes while the board has no connection: its counts end equal to the API's. */
    @Test
    void theWallboardMatchesTheApiAfterABurstAndAForcedReconnect() throws Exception {
        String ws = createWorkstream(List.of("AVAILABLE"), false, 60);
        List<String> agents = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            agents.add(agent(List.of(ws)).id());
            signIn(agents.get(i));
        }
        open("/wallboard/", Tokens.supervisor());
        awaitWallboard(ws, "AVAILABLE", "50");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        List<java.util.concurrent.Future<?>> burst = new java.util.ArrayList<>();
        for (int n = 0; n < 500; n++) {
            String agent = agents.get(n % agents.size());
            int presence = 1 + (n * 7 + n / agents.size()) % 4; // Available, Busy, Busy – DND, Away, in a scattered order
            burst.add(pool.submit(() -> setPresence(agent, presence)));
        }
        for (var call : burst) {
            call.get();
        }
        awaitWallboardMatches(ws);
        screenshot("wallboard-after-burst");

        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("window.presenceWallboard.client.terminate()");
        List<java.util.concurrent.Future<?>> whileDown = new java.util.ArrayList<>();
        for (int n = 0; n < 40; n++) {
            String agent = agents.get(n);
            whileDown.add(pool.submit(() -> signOutOrAway(agent)));
        }
        for (var call : whileDown) {
            call.get();
        }
        pool.shutdown();
        waiting().until(ExpectedConditions.textToBe(By.id("live"), "Live"));
        awaitWallboardMatches(ws);
    }

    /** Signs every second agent out and moves the others to Away. */
    private static Object signOutOrAway(String agent) {
        return Long.parseLong(agent) % 2 == 0 ? signOut(agent) : setPresence(agent, 4);
    }

    @Test
    void theDesktopReconnectsAndShowsWhatChangedWhileItWasDown() throws Exception {
        Agent agent = agent(null);
        signIn(agent.id());
        open("/desktop/", Tokens.agent(agent.userId()));
        waiting().until(ExpectedConditions.textToBe(By.id("current"), "Available"));
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("window.presenceDesktop.client.terminate()");
        setPresence(agent.id(), 2); // committed while the page has no connection
        waiting().until(ExpectedConditions.textToBe(By.id("current"), "Busy"));
        assertThat(browser.findElement(By.id("current-detail")).getText(), containsString("set by a supervisor"));
        screenshot("desktop-reconnected");
    }
}
