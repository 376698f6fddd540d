package org.ccpresence.error;

import static org.ccpresence.support.GraphQL.post;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.ccpresence.support.Tokens;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;

/** What an attacker or a broken client sends: refused with a contract error or the protocol's close code, nothing held. */
@QuarkusTest
class HostileInputTest {

    @Inject
    Vertx vertx;

    @ParameterizedTest
    @ValueSource(ints = { 2 * 1024 * 1024, 5 * 1024 * 1024 })
    void aBodyOverTheLimitIsRefusedWhateverItsSize(int size) {
        String body = "{\"query\": \"{ presences { id } }\", \"padding\": \"" + "x".repeat(size) + "\"}";
        RestAssured.given().header("Authorization", "Bearer " + Tokens.admin()).contentType("application/json")
                .body(body).post("/graphql").then().statusCode(413);
    }

    /** The same without a Content-Length (chunked), which only the service's own reading of the body can refuse. */
    @ParameterizedTest
    @ValueSource(ints = { 2 * 1024 * 1024, 5 * 1024 * 1024 })
    void aChunkedBodyOverTheLimitIsRefusedWhateverItsSize(int size) throws Exception {
        HttpClient http = vertx.createHttpClient();
        try {
            int status = http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("localhost")
                    .setPort(RestAssured.port).setURI("/graphql")
                    .putHeader("Authorization", "Bearer " + Tokens.admin()).putHeader("Content-Type", "application/json"))
                    .compose(request -> request.setChunked(true).send(Buffer.buffer("{\"query\": \"{ presences { id } }\", \"padding\": \""
                            + "x".repeat(size) + "\"}")))
                    .map(HttpClientResponse::statusCode)
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertEquals(413, status);
        } finally {
            http.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "not-a-number", "", "'; drop table presence;--", "99999999999999999999" })
    void aMalformedIdIsOnlyAnInputError(String id) {
        for (String operation : List.of("mutation($id: ID!) { deletePresence(id: $id) }",
                "query($id: ID!) { presence(id: $id) { id } }", "query($id: ID!) { agent(id: $id) { id } }",
                "mutation($id: ID!) { acceptOffer(offerId: $id) { id } }")) {
            JsonPath r = post(operation, "id", id);
            List<String> codes = r.getList("errors.extensions.code");
            assertEquals(List.of("BAD_USER_INPUT"), codes, () -> operation + " → " + r.prettify());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "10:15", "yesterday", "2026-13-45T99:00:00Z", "" })
    void aMalformedDateTimeIsOnlyAnInputError(String at) {
        for (String operation : List.of("query($t: DateTime!) { floorAt(at: $t) { since } }",
                "query($t: DateTime) { presenceHistory(agentId: 1, from: $t) { at } }",
                "query($t: DateTime!) { presenceSummary(from: $t, to: $t) { changes } }")) {
            JsonPath r = post(operation, "t", at);
            List<String> codes = r.getList("errors.extensions.code");
            assertEquals(List.of("BAD_USER_INPUT"), codes, () -> operation + " → " + r.prettify());
        }
    }

    /** A socket to the service and the close code it will get, watched from the start: the service may close it before the test's next line. */
    private record Socket(WebSocket socket, CompletableFuture<Short> closed) {

        short closedWithin(Duration within) throws Exception {
            return closed.get(within.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private Socket open() throws Exception {
        // frames as large as a browser sends: one frame per message, whatever its size
        HttpClient http = vertx.createHttpClient(new HttpClientOptions().setMaxWebSocketFrameSize(8 * 1024 * 1024)
                .setMaxWebSocketMessageSize(8 * 1024 * 1024));
        CompletableFuture<Short> closed = new CompletableFuture<>();
        WebSocket socket = http.webSocket(new WebSocketConnectOptions().setHost("localhost").setPort(RestAssured.port).setURI("/graphql")
                .setSubProtocols(List.of("graphql-transport-ws")))
                .onSuccess(ws -> ws.closeHandler(v -> closed.complete(ws.closeStatusCode())))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return new Socket(socket, closed);
    }

    @Test
    void aSocketThatNeverSaysHelloIsClosedWith4408() throws Exception {
        Socket socket = open();
        // the test profile waits 2 s for connection_init (presence.graphql.connection-init-timeout)
        assertEquals((short) 4408, socket.closedWithin(Duration.ofSeconds(10)));
    }

    static final String INIT = "{\"type\":\"connection_init\"}";
    static final String SUBSCRIBE = "{\"id\":\"1\",\"type\":\"subscribe\",\"payload\":{\"query\":"
            + "\"subscription { presenceChanged { agentId } }\"}}";

    /** A peer that breaks the protocol's rules: the messages it sends, the close code it must get. */
    static Stream<Arguments> protocolViolations() {
        String initWithToken = "{\"type\":\"connection_init\",\"payload\":{\"Authorization\":\"Bearer " + Tokens.admin() + "\"}}";
        return Stream.of(
                Arguments.of("an unknown message type", List.of(INIT, "{\"type\":\"gimme\"}"), 4400),
                // the close frame quotes the type, within the 123 bytes a close reason may have
                Arguments.of("a long unknown message type", List.of(INIT, "{\"type\":\"" + "é".repeat(2000) + "\"}"), 4400),
                Arguments.of("not JSON", List.of(INIT, "hello"), 4400),
                Arguments.of("subscribe before connection_init", List.of(SUBSCRIBE), 4401),
                Arguments.of("a second connection_init", List.of(INIT, INIT), 4429),
                Arguments.of("the id of an open subscription again", List.of(initWithToken, SUBSCRIBE, SUBSCRIBE), 4409),
                // the graphql-transport-ws protocol: a message of a format it does not specify closes with 4400
                Arguments.of("a subscribe without a payload", List.of(initWithToken, "{\"id\":\"1\",\"type\":\"subscribe\"}"), 4400),
                Arguments.of("a subscribe whose query is not text",
                        List.of(initWithToken, "{\"id\":\"1\",\"type\":\"subscribe\",\"payload\":{\"query\":7}}"), 4400),
                Arguments.of("a subscribe whose variables are not an object", List.of(initWithToken,
                        "{\"id\":\"1\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription { presenceChanged { agentId } }\","
                                + "\"variables\":[1]}}"), 4400),
                Arguments.of("a subscribe whose operationName is not text", List.of(initWithToken,
                        "{\"id\":\"1\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription { presenceChanged { agentId } }\","
                                + "\"operationName\":{}}}"), 4400));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protocolViolations")
    void aPeerThatBreaksTheProtocolIsClosedWithItsCode(String what, List<String> messages, int code) throws Exception {
        Socket socket = open();
        messages.forEach(socket.socket()::writeTextMessage);
        assertEquals((short) code, socket.closedWithin(Duration.ofSeconds(10)), what);
    }

    /** A well-formed subscribe (null variables and operationName are allowed) whose query the schema refuses is answered with an error; the socket stays open. */
    @Test
    void aSubscribeThatFailsValidationIsAnsweredWithAnError() throws Exception {
        WebSocket socket = open().socket();
        CompletableFuture<String> answer = new CompletableFuture<>();
        socket.textMessageHandler(text -> {
            if (text.contains("\"type\":\"error\"")) {
                answer.complete(text);
            }
        });
        socket.writeTextMessage("{\"type\":\"connection_init\",\"payload\":{\"Authorization\":\"Bearer " + Tokens.admin() + "\"}}");
        socket.writeTextMessage("{\"id\":\"1\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription { nothingLikeThis }\","
                + "\"variables\":null,\"operationName\":null}}");
        assertThat(answer.get(10, TimeUnit.SECONDS), containsString("BAD_USER_INPUT"));
        CompletableFuture<String> pong = new CompletableFuture<>();
        socket.textMessageHandler(pong::complete);
        socket.writeTextMessage("{\"type\":\"ping\"}");
        assertThat(pong.get(10, TimeUnit.SECONDS), containsString("pong"));
        socket.close();
    }

    /** The client is still sending when the service refuses the message: it must still learn why (RFC 6455's closing handshake). */
    @RepeatedTest(8)
    void aFrameOfSeveralMegabytesClosesWith1009() throws Exception {
        Socket socket = open();
        socket.socket().writeTextMessage("{\"type\":\"connection_init\",\"payload\":{\"x\":\"" + "x".repeat(4 * 1024 * 1024) + "\"}}");
        assertThat(socket.closedWithin(Duration.ofSeconds(10)) + " " + socket.socket().closeReason(), containsString("1009"));
    }
}
