package org.ccpresence.web;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.ccpresence.support.GraphQL;
import org.ccpresence.support.KeycloakServer;
import org.ccpresence.support.Replica;
import org.ccpresence.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Single sign-on on the pages with a real identity provider: Keycloak (from Maven Central) with the realm of
 * src/test/resources/keycloak, and the packaged service configured the way operators configure it
 * (PRESENCE_UI_OIDC_ISSUER, PRESENCE_UI_OIDC_CLIENT_ID, MP_JWT_VERIFY_* pointing at the realm). Chromium signs in on
 * Keycloak's own login page.
 */
class SingleSignOnIT {

    static final String DATABASE = "presence_sso";
    /** Bo's `sub` in the realm (users are imported with fixed ids). */
    static final String BO_SUBJECT = "8c2f4e1b-3a5d-4f6e-8b7c-9d0e1f2a3b02";

    static KeycloakServer keycloak = new KeycloakServer();
    static Replica service;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> oidc = keycloak.start();
        TestDatabase.recreate(DATABASE);
        service = Replica.start("sso", DATABASE, List.of("-Xmx256m"), oidc);
        BrowserTest.openBrowser();
    }

    @AfterAll
    static void stop() throws Exception {
        BrowserTest.closeBrowser();
        if (service != null) {
            service.close();
        }
        keycloak.close();
    }

    static WebDriverWait waiting() {
        return new WebDriverWait(BrowserTest.browser, Duration.ofSeconds(30));
    }

    static String page(String path) {
        return "http://localhost:" + service.port + path;
    }

    /** Keycloak's own login page: the form every user of the organisation knows. */
    static void signInOnKeycloak(String username, String password) {
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys(username);
        BrowserTest.browser.findElement(By.id("password")).sendKeys(password);
        BrowserTest.browser.findElement(By.id("kc-login")).click();
    }

    static String sessionToken() {
        return (String) ((JavascriptExecutor) BrowserTest.browser).executeScript("return sessionStorage.getItem('presence.token')");
    }

    @Test
    void anAdministratorSignsInThroughTheProviderUsesTheConsoleAndSignsOutThere() throws Exception {
        BrowserTest.browser.manage().deleteAllCookies();
        BrowserTest.browser.get(page("/admin/"));
        waiting().until(ExpectedConditions.urlContains("/realms/contact-center/"));
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
        BrowserTest.screenshot("sso-login");
        signInOnKeycloak("ada", "ada-secret");
        waiting().until(ExpectedConditions.textToBe(By.id("live"), "Live"));
        assertThat(BrowserTest.browser.findElement(By.cssSelector(".signed-in-as")).getText(), containsString("ada"));
        BrowserTest.screenshot("sso-admin");
        // the packaged service in its production profile: every page loads with no failed request and no console error
        for (String path : List.of("/wallboard/", "/admin/")) {
            BrowserTest.browser.get(page(path));
            waiting().until(ExpectedConditions.textToBe(By.id("live"), "Live"));
            Thread.sleep(500);
            assertEquals(List.of(), BrowserTest.consoleErrors("localhost:" + service.port), path);
        }

        String name = GraphQL.unique("Break");
        BrowserTest.type("presence-name", name);
        BrowserTest.type("presence-text", "On a break");
        BrowserTest.browser.findElement(By.cssSelector("#presence-form button[type=submit]")).click();
        waiting().until(d -> BrowserTest.row("presences", name) != null);

        BrowserTest.browser.findElement(By.id("sign-out-provider")).click();
        // the session at the provider is over: back on the page, the user is sent to sign in again
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
        assertThat(BrowserTest.browser.getCurrentUrl(), containsString("/realms/contact-center/"));
    }

    @Test
    void anAgentUsesTheDesktopRenewsTheTokenAndCannotDoWhatOnlyAdministratorsMay() throws Exception {
        String ada = KeycloakServer.token("ada", "ada-secret");
        GraphQL.send(service.port, ada, "mutation($in: AgentInput!) { createAgent(input: $in) { id } }",
                "in", Map.of("userId", BO_SUBJECT, "name", "Bo Agent")).statusCode(200);

        BrowserTest.browser.manage().deleteAllCookies();
        BrowserTest.browser.get(page("/desktop/"));
        signInOnKeycloak("bo", "bo-secret");
        long signedInAt = System.nanoTime();
        waiting().until(ExpectedConditions.textToBe(By.id("live"), "Live"));
        waiting().until(ExpectedConditions.textToBe(By.id("agent-name"), "(Bo Agent)"));
        BrowserTest.browser.findElement(By.id("sign-in")).click();
        waiting().until(ExpectedConditions.textToBe(By.id("current"), "Available"));
        BrowserTest.screenshot("sso-desktop");
        assertEquals(List.of(), BrowserTest.consoleErrors("localhost:" + service.port), "the desktop's console");

        // tokens live 75 s in the test realm; the page renews them a minute before they expire, and when the first one
        // expires the service closes the socket: the page reconnects with the new token and resumes where it was
        String first = sessionToken();
        new WebDriverWait(BrowserTest.browser, Duration.ofSeconds(45)).until(d -> !first.equals(sessionToken()));
        assertNotEquals(first, sessionToken(), "renewed");
        String agentId = GraphQL.send(service.port, ada, "{ agents(first: 1000) { id userId } }").extract().jsonPath()
                .getString("data.agents.find { it.userId == '" + BO_SUBJECT + "' }.id");
        boolean reconnected = false;
        long end = signedInAt + Duration.ofSeconds(90).toNanos();
        for (int n = 0; System.nanoTime() < end; n++) {
            GraphQL.send(service.port, ada, "mutation($a: ID, $p: ID!) { setPresence(agentId: $a, presenceId: $p) { id } }",
                    "a", agentId, "p", n % 2 == 0 ? "2" : "3").statusCode(200);
            for (int poll = 0; poll < 10; poll++) {
                reconnected |= "Reconnecting…".equals(BrowserTest.browser.findElement(By.id("live")).getText());
                Thread.sleep(300);
            }
        }
        GraphQL.send(service.port, ada, "mutation($a: ID, $p: ID!) { setPresence(agentId: $a, presenceId: $p) { id } }",
                "a", agentId, "p", "4").statusCode(200);
        waiting().until(ExpectedConditions.textToBe(By.id("current"), "Away"));
        waiting().until(ExpectedConditions.textToBe(By.id("live"), "Live"));
        String newest = GraphQL.send(service.port, ada, "query($a: ID!) { presenceHistory(agentId: $a, first: 1) { sequence } }",
                "a", agentId).extract().jsonPath().getString("data.presenceHistory[0].sequence");
        assertEquals(newest, ((JavascriptExecutor) BrowserTest.browser).executeScript("return window.presenceDesktop.position.sequence"),
                "the page followed every change up to the newest, across the reconnect");
        assertTrue(reconnected, "the socket of the expired token was closed and the page reconnected");

        // the same session opens the admin console: the agents table is refused, and so is changing the catalog
        BrowserTest.browser.get(page("/admin/"));
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".signed-in-as")));
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("agents-error"), "Not allowed for your role"));
        BrowserTest.type("presence-name", GraphQL.unique("Not mine"));
        BrowserTest.type("presence-text", "Not mine");
        BrowserTest.browser.findElement(By.cssSelector("#presence-form button[type=submit]")).click();
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("presence-error"), "Not allowed for your role"));
        BrowserTest.screenshot("sso-agent-in-admin");
        assertEquals(0, GraphQL.send(service.port, ada, "{ presences { name } }").extract().jsonPath()
                .getList("data.presences.name", String.class).stream().filter(n -> n.startsWith("Not mine")).count());
    }
}
