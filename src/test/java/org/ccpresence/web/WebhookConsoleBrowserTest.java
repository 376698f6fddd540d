package org.ccpresence.web;

import static org.ccpresence.support.Fixtures.createAgent;
import static org.ccpresence.support.Fixtures.history;
import static org.ccpresence.support.Fixtures.signIn;
import static org.ccpresence.support.GraphQL.post;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.ccpresence.support.PrivateWebhookTargets;
import org.ccpresence.support.Tokens;
import org.ccpresence.support.WebhookReceiver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The admin console's webhooks section in Chromium, against a real receiver on 127.0.0.1. */
@QuarkusTest
@TestProfile(PrivateWebhookTargets.class)
class WebhookConsoleBrowserTest {

    @BeforeAll
    static void openBrowser() {
        BrowserTest.openBrowser();
    }

    @AfterAll
    static void closeBrowser() {
        BrowserTest.closeBrowser();
    }

    @Test
    void anAdministratorAddsWatchesDisablesReplaysAndDeletesAWebhook() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            BrowserTest.open("/admin/", Tokens.admin());
            BrowserTest.type("webhook-url", receiver.url());
            BrowserTest.browser.findElement(By.id("webhook-new-secret")).click();
            String shown = BrowserTest.browser.findElement(By.id("webhook-secret-shown")).getText();
            String secret = shown.substring(shown.indexOf("whsec_"));
            BrowserTest.browser.findElement(By.cssSelector("#webhook-form button[type=submit]")).click();
            String row = BrowserTest.row("webhooks", receiver.url());
            assertThat(row, containsString("Healthy"));
            Map<String, Object> webhook = webhookTo(receiver.url());
            String id = (String) webhook.get("id");

            String agent = createAgent();
            signIn(agent);
            String sequence = (String) history(agent).get(0).get("sequence");
            waitFor(() -> receiver.received().stream().anyMatch(r -> r.body().contains("\"sequence\":\"" + sequence + "\"")));
            WebhookReceiver.Received delivered = receiver.received().get(receiver.received().size() - 1);
            assertEquals(WebhookReceiver.sign(secret, delivered.id(), delivered.timestamp(), delivered.body()), delivered.signature(),
                    "signed with the secret the page made");
            new WebDriverWait(BrowserTest.browser, Duration.ofSeconds(15)).until(d -> BrowserTest.row("webhooks", receiver.url())
                    .contains("caught up"));

            clickInRow(id, "data-toggle");
            BrowserTest.waiting().until(d -> BrowserTest.row("webhooks", receiver.url()).contains("Disabled"));
            assertEquals(false, webhookTo(receiver.url()).get("enabled"));

            int before = receiver.received().size();
            clickInRow(id, "data-replay");
            var prompt = BrowserTest.waiting().until(ExpectedConditions.alertIsPresent());
            prompt.sendKeys(Long.toString(Long.parseLong(sequence) - 1));
            prompt.accept();
            waitFor(() -> receiver.received().size() > before);
            assertThat(receiver.received().get(before).body(), containsString("\"sequence\":\"" + sequence + "\""));
            BrowserTest.waiting().until(d -> BrowserTest.row("webhooks", receiver.url()).contains("Healthy"));
            BrowserTest.screenshot("admin-webhooks");

            clickInRow(id, "data-delete");
            BrowserTest.waiting().until(ExpectedConditions.alertIsPresent()).accept();
            BrowserTest.waiting().until(d -> d.findElements(By.cssSelector("#webhooks tr[data-id='" + id + "']")).isEmpty());
            assertEquals(null, webhookTo(receiver.url()));
            assertEquals(List.of(), BrowserTest.consoleErrors(BrowserTest.url("/")));
        }
    }

    @Test
    void supervisorsDoNotSeeTheWebhooks() {
        BrowserTest.open("/admin/", Tokens.supervisor());
        BrowserTest.waiting().until(d -> !d.findElement(By.id("webhooks-section")).isDisplayed());
    }

    /** Clicks a row's button; the table is re-rendered every 5 s, so a button found just before may be replaced. */
    private static void clickInRow(String id, String button) {
        BrowserTest.waiting().ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
            d.findElement(By.cssSelector("#webhooks tr[data-id='" + id + "'] button[" + button + "]")).click();
            return true;
        });
    }

    private static Map<String, Object> webhookTo(String url) {
        List<Map<String, Object>> all = post("{ webhooks { id url enabled } }").getList("data.webhooks");
        return all.stream().filter(w -> url.equals(w.get("url"))).findFirst().orElse(null);
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        while (!condition.getAsBoolean()) {
            assertTrue(System.currentTimeMillis() < deadline, "timed out");
            Thread.sleep(100);
        }
    }
}
