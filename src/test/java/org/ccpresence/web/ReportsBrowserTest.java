package org.ccpresence.web;

import static org.ccpresence.support.Fixtures.agentInput;
import static org.ccpresence.support.Fixtures.createWorkstream;
import static org.ccpresence.support.Fixtures.required;
import static org.ccpresence.support.Fixtures.setPresence;
import static org.ccpresence.support.Fixtures.signIn;
import static org.ccpresence.support.GraphQL.post;
import static org.ccpresence.support.GraphQL.unique;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.ccpresence.support.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import io.quarkus.test.junit.QuarkusTest;

/** The reports page in Chromium: the summary of a workstream's agents, its CSV, a timeline and the floor at a moment. */
@QuarkusTest
class ReportsBrowserTest {

    @BeforeAll
    static void openBrowser() {
        BrowserTest.openBrowser();
    }

    @AfterAll
    static void closeBrowser() {
        BrowserTest.closeBrowser();
    }

    @Test
    void aSupervisorSeesWhereTheTimeWentAndTheFloorAtAMoment() throws Exception {
        String workstream = createWorkstream(Map.of("name", unique("Reports chat"), "allowedPresences", List.of("AVAILABLE")));
        String workstreamName = post("query($w: ID!) { workstream(id: $w) { name } }", "w", workstream).getString("data.workstream.name");
        String ada = member(workstream, unique("Ada"));
        String bob = member(workstream, unique("Bob"));
        signIn(ada.split("\\|")[0]);
        signIn(bob.split("\\|")[0]);
        setPresence(bob.split("\\|")[0], 4);
        setPresence(bob.split("\\|")[0], 3);
        setPresence(bob.split("\\|")[0], 4);

        BrowserTest.browser.get(BrowserTest.url("/reports/"));
        WebElement input = BrowserTest.waiting().until(ExpectedConditions.elementToBeClickable(By.id("token-input")));
        input.sendKeys(Tokens.supervisor());
        BrowserTest.browser.findElement(By.cssSelector(".token-bar button[type=submit]")).click();
        BrowserTest.waiting().until(d -> d.findElements(By.cssSelector("#workstream option")).size() > 1);
        BrowserTest.choose("workstream", workstreamName);
        BrowserTest.browser.findElement(By.cssSelector("#period-form button[type=submit]")).click();
        String adaName = ada.split("\\|")[1];
        String bobName = bob.split("\\|")[1];
        BrowserTest.waiting().until(d -> d.findElements(By.cssSelector("#summary tbody tr[data-agent]")).size() == 2);

        // the table says what presenceSummary says for the period the page shows (the CSV link carries it)
        Map<String, String> period = query(BrowserTest.browser.findElement(By.id("csv")).getAttribute("href"));
        assertEquals(workstream, period.get("workstreamId"));
        List<Map<String, Object>> summary = post("""
                query($from: DateTime!, $to: DateTime!, $w: ID) { presenceSummary(from: $from, to: $to, workstreamId: $w) {
                  agent { id } changes } }""", "from", period.get("from"), "to", period.get("to"), "w", workstream)
                .getList("data.presenceSummary");
        for (Map<String, Object> row : summary) {
            String id = (String) ((Map<?, ?>) row.get("agent")).get("id");
            WebElement tr = BrowserTest.browser.findElement(By.cssSelector("#summary tbody tr[data-agent='" + id + "']"));
            assertEquals(String.valueOf(row.get("changes")), tr.findElements(By.tagName("td")).get(7).getText());
        }
        assertThat(BrowserTest.browser.findElement(By.cssSelector("#summary tfoot")).getText(), containsString("Total (2 agents)"));
        assertThat(BrowserTest.browser.findElement(By.cssSelector("#summary tfoot")).getText(), containsString("5"));
        assertTrue(BrowserTest.browser.findElements(By.cssSelector("#summary tbody .bar span")).size() >= 2, "a stacked bar per agent");
        // one scale for all bars: the agent signed in longest fills theirs (a share of milliseconds may be under a pixel)
        double fullest = BrowserTest.browser.findElements(By.cssSelector("#summary tbody .bar")).stream()
                .mapToDouble(bar -> bar.findElements(By.tagName("span")).stream().mapToInt(s -> s.getSize().getWidth()).sum()
                        / (double) bar.getSize().getWidth())
                .max().orElseThrow();
        assertTrue(fullest > 0.95, () -> "the longest bar is filled by its segments: " + fullest);

        // the CSV of exactly what is shown, fetched with the page's token
        String csv = (String) ((JavascriptExecutor) BrowserTest.browser).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch(document.querySelector('#csv').href, { headers: { Authorization: 'Bearer ' + sessionStorage.getItem('presence.token') } })
                  .then((r) => r.text()).then(done);""");
        assertThat(csv, containsString(adaName));
        assertThat(csv, containsString(bobName));
        assertEquals(3, csv.strip().split("\\r?\\n").length, "a header and the two agents shown");
        BrowserTest.browser.findElement(By.id("csv")).click();

        // the floor at the moment the page offers (just before now): Ada Available, Bob Away
        BrowserTest.waiting().until(d -> "1".equals(tile(d, "AVAILABLE")) && "1".equals(tile(d, "AWAY")));
        assertEquals("0", tile(BrowserTest.browser, "BUSY_DND"));
        assertEquals(2, BrowserTest.browser.findElements(By.cssSelector("#floor tbody tr[data-agent]")).size());

        // Bob's timeline: sign-in, Away, Busy – DND, Away
        BrowserTest.browser.findElement(By.cssSelector("#summary tbody tr[data-agent='" + bob.split("\\|")[0] + "']")).click();
        BrowserTest.waiting().until(d -> d.findElements(By.cssSelector("#timeline-changes tbody tr")).size() == 4);
        assertThat(BrowserTest.browser.findElement(By.id("timeline-title")).getText(), containsString(bobName));
        assertThat(BrowserTest.browser.findElement(By.id("timeline-changes")).getText(), containsString("SIGN_IN"));
        assertEquals(4, BrowserTest.browser.findElements(By.cssSelector("#timeline span")).size());
        assertEquals(List.of(), BrowserTest.consoleErrors(BrowserTest.url("/")), "no errors in the console");
        BrowserTest.screenshot("reports");
    }

    private static String tile(org.openqa.selenium.WebDriver d, String status) {
        List<WebElement> tiles = d.findElements(By.cssSelector("#floor-counts .tile[data-status='" + status + "'] .figure"));
        return tiles.isEmpty() ? null : tiles.get(0).getText();
    }

    /** "id|name" of a new member of the workstream. */
    private static String member(String workstream, String name) {
        String id = required(post("mutation($in: AgentInput!) { createAgent(input: $in) { id } }", "in",
                agentInput(unique("u"), name, null, List.of(workstream))), "data.createAgent.id");
        return id + "|" + name;
    }

    private static Map<String, String> query(String href) {
        Map<String, String> params = new HashMap<>();
        for (String pair : href.substring(href.indexOf('?') + 1).split("&")) {
            String[] kv = pair.split("=", 2);
            params.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return params;
    }
}
