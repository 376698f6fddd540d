package org.ccpresence.web;

import static org.ccpresence.support.Fixtures.signIn;
import static org.ccpresence.support.GraphQL.post;

import java.time.Duration;

import org.ccpresence.support.ShortDesktopGrace;
import org.ccpresence.support.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The desktop after its agent was signed out for being away (grace 2 s, as in DisconnectGraceTest). */
@QuarkusTest
@TestProfile(ShortDesktopGrace.class)
class DesktopGraceBrowserTest {

    @BeforeAll
    static void openBrowser() {
        BrowserTest.openBrowser();
    }

    @AfterAll
    static void closeBrowser() {
        BrowserTest.closeBrowser();
    }

    @Test
    void aDesktopThatComesBackAfterTheGraceSaysWhyTheAgentIsSignedOut() throws Exception {
        BrowserTest.Agent agent = BrowserTest.agent(null);
        signIn(agent.id());
        BrowserTest.open("/desktop/", Tokens.agent(agent.userId()));
        new WebDriverWait(BrowserTest.browser, Duration.ofSeconds(10)).until(d -> post("query($a: ID!) { agent(id: $a) { desktopConnected } }",
                "a", agent.id()).getBoolean("data.agent.desktopConnected"));
        ((JavascriptExecutor) BrowserTest.browser).executeScript("window.presenceDesktop.client.dispose()"); // the laptop lid closes
        new WebDriverWait(BrowserTest.browser, Duration.ofSeconds(15)).until(d -> !post("query($a: ID!) { agent(id: $a) { signedIn } }",
                "a", agent.id()).getBoolean("data.agent.signedIn"));

        BrowserTest.open("/desktop/", Tokens.agent(agent.userId()));
        BrowserTest.waiting().until(ExpectedConditions.textToBe(By.id("current"), "Offline"));
        BrowserTest.waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("current-detail"),
                "Signed out: desktop disconnected"));
        BrowserTest.screenshot("desktop-disconnected");
    }
}
