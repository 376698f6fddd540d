package org.ccpresence.web;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.support.ui.ExpectedConditions;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/** The pages' headers: revalidated on every load (an upgrade is picked up at once), and protected. */
@QuarkusTest
class PageHeadersTest {

    @BeforeAll
    static void openBrowser() {
        BrowserTest.openBrowser();
    }

    @AfterAll
    static void closeBrowser() {
        BrowserTest.closeBrowser();
    }

    @Test
    void pagesScriptsAndStylesAreRevalidatedOnEveryLoad() {
        for (String path : List.of("/", "/admin/", "/desktop/", "/wallboard/", "/reports/", "/shared/api.js",
                "/shared/style.css", "/admin/admin.js", "/vendor/graphql-ws/graphql-ws.min.js", "/favicon.svg")) {
            String lastModified = RestAssured.given().get(path).then().statusCode(200)
                    .header("Cache-Control", equalTo("no-cache"))
                    .header("X-Content-Type-Options", equalTo("nosniff"))
                    .header("Referrer-Policy", equalTo("no-referrer"))
                    .extract().header("Last-Modified");
            // the revalidation of an unchanged file: 304, and the stored copy stays one to revalidate
            RestAssured.given().header("If-Modified-Since", lastModified).get(path).then().statusCode(304)
                    .header("Cache-Control", equalTo("no-cache"));
        }
    }

    @Test
    void filesWithTheirVersionInThePathKeepALongLife() {
        RestAssured.given().get("/webjars/uplot/1.6.30/dist/uPlot.iife.min.js").then().statusCode(200)
                .header("Cache-Control", containsString("max-age")).header("X-Content-Type-Options", equalTo("nosniff"));
    }

    @Test
    void pagesCarryAContentSecurityPolicyOfTheirOwnOrigin() {
        for (String path : List.of("/", "/admin/", "/desktop/", "/wallboard/", "/reports/")) {
            RestAssured.given().get(path).then().statusCode(200)
                    .header("Content-Security-Policy", equalTo("default-src 'self'; script-src 'self'; style-src 'self'; "
                            + "img-src 'self' data:; connect-src 'self'; frame-src 'self'; frame-ancestors 'none'; "
                            + "base-uri 'none'; form-action 'self'; object-src 'none'"));
        }
        RestAssured.given().get("/shared/api.js").then().header("Content-Security-Policy", equalTo(null));
        RestAssured.given().get("/q/health/ready").then().header("Cache-Control", not(containsString("immutable")));
    }

    /**
     * A browser that loads a page again asks for its scripts again (answered 304 while they are unchanged), so a
     * script an upgrade replaced is run at the next load. Under the old {@code immutable} it took them from its cache
     * without asking, for a day.
     */
    @Test
    void aBrowserAsksForThePagesScriptsAgainAtEveryLoad() {
        for (String page : List.of("/admin/", "/wallboard/")) {
            BrowserTest.browser.get(BrowserTest.url(page));
            BrowserTest.waiting().until(ExpectedConditions.elementToBeClickable(By.id("token-input")));
            BrowserTest.browser.get(BrowserTest.url(page));
            BrowserTest.waiting().until(ExpectedConditions.elementToBeClickable(By.id("token-input")));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> scripts = (List<Map<String, Object>>) ((JavascriptExecutor) BrowserTest.browser)
                    .executeScript("return performance.getEntriesByType('resource').filter(e => /[.](js|css)$/.test(e.name))"
                            + ".map(e => ({ name: e.name, bytes: e.transferSize }))");
            assertFalse(scripts.isEmpty(), page);
            for (Map<String, Object> script : scripts) {
                if (String.valueOf(script.get("name")).contains("/webjars/")) {
                    continue; // versioned in its path: kept
                }
                // transferSize 0: taken from the cache without asking; headers only: revalidated
                assertTrue(((Number) script.get("bytes")).longValue() > 0, page + " asked the server: " + script);
            }
        }
    }
}
