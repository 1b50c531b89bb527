using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LgspHub.EndToEnd.Tests;

/// <summary>
/// Ten thousand mutated requests from a fixed seed, eight at a time: broken bodies and bytes, other charsets,
/// chunked and truncated bodies, header and path tricks, and raw requests no HTTP client would send. The hub
/// answers each with a 4xx or a success, never a 5xx, and records every one it routes.
/// </summary>
[Collection(HubTests.Name)]
public sealed class FuzzTests(HubFixture hub)
{
    private const int Requests = 10_000;
    private const int Seed = 20261201;
    private const int Concurrency = 8;

    [Fact]
    public async Task Ten_thousand_mutated_requests_get_4xx_never_5xx_and_every_routed_one_is_recorded()
    {
        var token = await hub.Everything.TokenAsync(hub.GatewayUrl);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency, UseCookies = false };
        using var http = new HttpClient(handler) { BaseAddress = hub.GatewayUrl, Timeout = TimeSpan.FromSeconds(30) };
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var unrecorded = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var next = -1;
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(4));

        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Requests && !deadline.IsCancellationRequested)
            {
                // Each request from its own seed: a failure names the request, and replays alone.
                var random = new Random(Seed + i);
                if (random.Next(100) < 15)
                {
                    var (bytes, description, cutOff) = RawRequest(random, token);
                    var status = await SendRawAsync(bytes, waitForAnswer: !cutOff, deadline.Token);
                    if (status >= 500 || (status is null && !cutOff))
                        failures.Enqueue($"#{i} raw {description}: {(status is { } code ? code.ToString(System.Globalization.CultureInfo.InvariantCulture) : "no answer")}");
                    continue;
                }
                using var request = Mutate(random, token);
                var what = $"#{i} {request.Method} {request.RequestUri}";
                try
                {
                    using var response = await http.SendAsync(request, deadline.Token);
                    if ((int)response.StatusCode >= 500)
                        failures.Enqueue($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    // Kestrel answers a request it cannot parse (a NUL in the target: 400, headers over its limits: 431) itself,
                    // with an empty body, before any of the hub's code runs; everything else is the hub's and recorded.
                    var kestrels = response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestHeaderFieldsTooLarge
                        && response.Content.Headers.ContentLength == 0;
                    if (!response.Headers.Contains("X-Lgsp-Transaction-Id") && !kestrels)
                        unrecorded.Enqueue($"{what}: {(int)response.StatusCode}");
                }
                catch (HttpRequestException e) when (request.Content is not null && e.InnerException is IOException)
                {
                    // Kestrel refused the request line (a NUL in the target) and closed the connection while the body was
                    // still going out: the client's upload broke, and no hub code ran. The hosts are checked alive below.
                }
                catch (HttpRequestException e)
                {
                    failures.Enqueue($"{what}: {e.Message}");
                }
            }
        }));

        Assert.False(deadline.IsCancellationRequested, $"the run did not end within its time; {next} requests sent");
        Assert.True(failures.IsEmpty, $"{failures.Count} failures, the first: {string.Join("\n", failures.Take(10))}");
        Assert.True(unrecorded.IsEmpty, $"{unrecorded.Count} answers without a transaction id, the first: {string.Join("\n", unrecorded.Take(10))}");
        foreach (var host in hub.Hosts.Values)
            Assert.False(host.HasExited, $"{host.Name} crashed:\n{host.RecentOutput}");
        Assert.Equal(HttpStatusCode.OK, (await hub.Gateway.GetAsync("/api/civil-status/dossiers/statistics")).StatusCode);
    }

    private static readonly string[] Paths =
    [
        "/api/population/citizens/{id}", "/api/population/identity-verifications", "/api/civil-status/birth-dossiers",
        "/api/civil-status/death-dossiers", "/api/civil-status/dossiers/{id}", "/api/civil-status/dossiers?state={id}&limit={id}",
        "/api/civil-status/registrations/{id}", "/api/civil-status/people/{id}/registrations",
        "/api/land/transfers", "/api/land/parcels/{id}/{id}/{id}", "/api/land/owners/{id}/parcels", "/api/health-insurance/check-ins",
        "/api/health-insurance/cards/{id}", "/connect/token", "/catalog", "/lgsp/transactions?from={id}&outcome={id}",
        "/lgsp/audit?personalId={id}", "/api/{id}", "/{id}", "/api/population/openapi/v1.json",
        // Path tricks: case, dot segments, encoded separators, doubled slashes, matrix parameters.
        "/API/Population/Citizens/{id}", "/api/population/./citizens/{id}", "/api/land/../population/citizens/{id}",
        "/api/population/citizens%2F{id}", "/api//population//citizens/{id}", "/api/population/citizens/{id};x=1",
        "/api/population/citizens/{id}/", "/api/population/citizens/%2e%2e/%2e%2e/lgsp/audit", "/api/population/citizens/{id}%00",
    ];

    private static readonly string[] Ids =
    [
        "049085000123", "049185000001", "0", "-1", "99999999999999999999", "%00", "..%2F..%2Fetc%2Fpasswd", "<script>", "' OR 1=1 --",
        "00000000-0000-0000-0000-000000000000", "😀", new string('9', 2_000), "%E0%A4%A", "null", "1e309", "Failed,Completed",
        "０４９０８５０００１２３", "049085000123 ", "KS-20305-1990-000001", "20305", "%C0%AE%C0%AE",
    ];

    /// <summary>Bodies close to real ones, for bit flips and truncations to work on.</summary>
    private static readonly string[] Templates =
    [
        """{"personalId": "049085000123", "fullName": "Nguyễn Văn An", "dateOfBirth": "1985-03-04"}""",
        """{"child": {"fullName": "Lê Minh", "sex": "Male", "dateOfBirth": "2026-11-20", "placeOfBirth": "BV"}, "motherPersonalId": "049185000001", "residence": {"communeCode": "99999", "street": "x"}}""",
        """{"deceasedPersonalId": "049085000123", "dateOfDeath": "2999-01-01", "placeOfDeath": "x"}""",
        """{"communeCode": "20305", "mapSheet": 1, "parcelNumber": 1, "from": {"personalId": "049085000123", "fullName": "A", "dateOfBirth": "1985-01-01"}, "to": {"personalId": "049185000001", "fullName": "B", "dateOfBirth": "1990-01-01"}}""",
        """{"personalId": "12345", "facility": "79-001"}""",
    ];

    private static readonly string[] Junk =
    [
        "", "{", "[]", "null", "\"text\"", "{\"personalId\": 12}", "{\"child\": {\"sex\": 7, \"dateOfBirth\": \"2026-13-45\"}}",
        "{\"from\": {\"personalId\": {\"deep\": [1,2,3]}}}", "grant_type=client_credentials&client_id=%FF", "\u0000\u0001\u0002",
        "{\"personalId\": \"049085000123\", \"PERSONALID\": \"049085000124\"}", "{\"personal\\u0049d\": \"049085000123\"}",
        "{\"personalId\": \"\\ud800\"}", "{\"personalId\": \"049085000123\"} trailing", "\uFEFF{\"personalId\": \"049085000123\"}",
    ];

    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "application/json; charset=utf-16", "application/json; charset=utf-32",
        "application/json; charset=iso-8859-1", "application/json; charset=bogus", "application/json; charset=\"utf-8\"", "application/x-www-form-urlencoded",
        "text/plain", "application/merge-patch+json", "multipart/form-data; boundary=x", "application/json;;;", "",
    ];

    private static readonly HttpMethod[] Methods = [HttpMethod.Get, HttpMethod.Post, HttpMethod.Patch, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Head, HttpMethod.Options];
    // Non-ASCII header values go out as raw requests: HttpClient refuses to send them.
    private static readonly string[] Purposes = ["kcb", "", "a b", new string('p', 300), "ok.code", "ok.code,other", "%C3%A9"];
    private static readonly string[] Officers = ["o-1", "", "x\ty", "..", "officer", "o;1"];

    private static HttpRequestMessage Mutate(Random random, string token)
    {
        var method = Pick(random, Methods);
        var request = new HttpRequestMessage(method, Fill(random, Pick(random, Paths)));

        if (method != HttpMethod.Get && method != HttpMethod.Head && random.Next(8) != 0)
            request.Content = Body(random);

        switch (random.Next(7))
        {
            case 0: break;                                                                // no token
            case 1 or 2: request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token); break;
            case 3: request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token[..^3] + "abc"); break; // tampered
            case 4: request.Headers.TryAddWithoutValidation("Authorization", "Basic ////"); break;
            case 5: request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + new string('a', 10_000)); break;
            default: request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {token}, Bearer {token}"); break;
        }
        if (random.Next(3) != 0)
        {
            request.Headers.TryAddWithoutValidation("X-Lgsp-Purpose", Pick(random, Purposes));
            request.Headers.TryAddWithoutValidation("X-Lgsp-Officer", Pick(random, Officers));
        }
        if (random.Next(10) == 0)
            request.Headers.TryAddWithoutValidation("X-Lgsp-Purpose", "second.purpose");                       // twice
        if (random.Next(4) == 0)
            request.Headers.TryAddWithoutValidation(LgspHub.ServiceDefaults.HubHeaders.Consumer, "police.population-office");           // spoofing the id agencies trust
        if (random.Next(4) == 0)
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", "10.0.0.1, <script>");
        if (random.Next(8) == 0)
            request.Headers.TryAddWithoutValidation("traceparent", random.Next(2) == 0 ? "00-zz-zz-01" : "00-" + new string('0', 32) + "-" + new string('0', 16) + "-01");
        if (random.Next(10) == 0)
            request.Headers.TryAddWithoutValidation("Idempotency-Key", Uri.EscapeDataString(Pick(random, Ids)));
        if (random.Next(20) == 0)
            request.Headers.TryAddWithoutValidation("X-Big", new string('h', random.Next(1_000, 40_000)));
        return request;
    }

    private static HttpContent Body(Random random)
    {
        var text = random.Next(3) == 0 ? Pick(random, Junk) : Pick(random, Templates);
        if (random.Next(10) == 0)
            text = new string('[', random.Next(50, 2_000)) + new string(']', random.Next(50, 2_000));
        var contentType = Pick(random, ContentTypes);
        var encoding = contentType.Contains("utf-16", StringComparison.Ordinal) ? Encoding.Unicode
            : contentType.Contains("utf-32", StringComparison.Ordinal) ? Encoding.UTF32
            : contentType.Contains("8859", StringComparison.Ordinal) ? Encoding.Latin1 : Encoding.UTF8;
        var bytes = encoding.GetBytes(text);
        switch (random.Next(6))
        {
            case 0 when bytes.Length > 0:                                                    // bit flips
                for (var flips = random.Next(1, 6); flips > 0; flips--)
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when bytes.Length > 1:                                                    // truncated
                bytes = bytes[..random.Next(bytes.Length)];
                break;
            case 2 when bytes.Length > 0:                                                    // bytes that are not UTF-8
                var at = random.Next(bytes.Length);
                bytes = [.. bytes[..at], Pick(random, new byte[] { 0xC3, 0xFF, 0xED, 0xF8, 0x80 }), .. bytes[at..]];
                break;
            case 3 when random.Next(25) == 0:                                                // over every body limit
                bytes = new byte[2 * 1024 * 1024];
                break;
        }
        // Without a length the client sends the body chunked.
        HttpContent content = random.Next(4) == 0 ? new StreamContent(new UnknownLengthStream(bytes)) : new ByteArrayContent(bytes);
        if (contentType.Length > 0)
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    /// <summary>Requests an HTTP client would not send: framing, request lines and headers broken on purpose. Cut off: the body never ends.</summary>
    private (byte[] Bytes, string Description, bool CutOff) RawRequest(Random random, string token)
    {
        var path = Fill(random, Pick(random, Paths)).Replace(" ", "%20", StringComparison.Ordinal);
        var auth = random.Next(2) == 0 ? $"Authorization: Bearer {token}\r\nX-Lgsp-Purpose: kcb\r\nX-Lgsp-Officer: o-1\r\n" : "";
        var body = Encoding.UTF8.GetBytes(Pick(random, Templates));
        var host = $"Host: {hub.GatewayUrl.Authority}\r\n";
        var kind = random.Next(12);
        var (head, description, unanswered) = kind switch
        {
            0 => ($"POST {path} HTTP/1.1\r\n{host}{auth}Content-Type: application/json\r\nContent-Length: {body.Length}\r\nTransfer-Encoding: chunked\r\n\r\n", "length and chunked", false),
            1 => ($"POST {path} HTTP/1.1\r\n{host}{auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "bad chunk size", false),
            2 => ($"POST {path} HTTP/1.1\r\n{host}{auth}Content-Type: application/json\r\nContent-Length: {body.Length + 50}\r\n\r\n", "body shorter than its length", true),
            3 => ($"GET {path} HTTP/1.1\r\n{host}{auth}X-Lgsp-Purpose: a\r\n b\r\n\r\n", "folded header", false),
            4 => ($"GET {path}\u0000 HTTP/1.1\r\n{host}\r\n", "NUL in the target", false),
            5 => ($"GET http://evil.example{path} HTTP/1.1\r\n{host}{auth}\r\n", "absolute-form target", false),
            6 => ($"GET {path} HTTP/1.0\r\n{auth}\r\n", "HTTP/1.0 without a host", false),
            7 => ($"GET {path} HTTP/1.1\r\n{host}{auth}Content-Length: -1\r\n\r\n", "negative length", false),
            8 => ($"POST {path} HTTP/1.1\r\n{host}{auth}Content-Type: application/json\r\nContent-Length: {body.Length}\r\nContent-Length: 3\r\n\r\n", "two lengths", false),
            9 => ($"GET {path} HTTP/1.1\r\n{host}{auth}X-Lgsp-Officer: o\u00e9\r\n\r\n", "non-ASCII header value", false),
            10 => ($"BREW {path} HTTP/1.1\r\n{host}{auth}\r\n", "unknown method", false),
            _ => ($"POST {path} HTTP/1.1\r\n{host}{auth}Content-Type: application/json; charset=utf-16\r\nTransfer-Encoding: chunked\r\n\r\n{body.Length:x}\r\n", "chunked body cut off", true),
        };
        byte[] bytes = [.. Encoding.Latin1.GetBytes(head), .. kind switch
        {
            0 => [.. Encoding.ASCII.GetBytes($"{body.Length:x}\r\n"), .. body, .. "\r\n0\r\n\r\n"u8],
            2 or 8 or 11 => body,
            _ => [],
        }];
        return (bytes, description, unanswered);
    }

    /// <summary>
    /// The status the gateway answered with, or null when it closed without answering or took over 5 s. A request
    /// cut off is not waited for: the connection closes at once, as a client that went away.
    /// </summary>
    private async Task<int?> SendRawAsync(byte[] request, bool waitForAnswer, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await client.ConnectAsync(hub.GatewayUrl.Host, hub.GatewayUrl.Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(request, timeout.Token);
            if (!waitForAnswer)
                return null;
            // No half-close: Kestrel takes a FIN after the request as an abort.
            var buffer = new byte[64];
            var read = await stream.ReadAtLeastAsync(buffer, 12, throwOnEndOfStream: false, timeout.Token);
            var line = Encoding.ASCII.GetString(buffer, 0, read);
            return line.StartsWith("HTTP/1.", StringComparison.Ordinal) && line.Length >= 12 && int.TryParse(line.AsSpan(9, 3), out var status) ? status : null;
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static string Fill(Random random, string path)
    {
        while (path.Contains("{id}", StringComparison.Ordinal))
            path = string.Concat(path.AsSpan(0, path.IndexOf("{id}", StringComparison.Ordinal)), Uri.EscapeDataString(Pick(random, Ids)), path.AsSpan(path.IndexOf("{id}", StringComparison.Ordinal) + 4));
        return path;
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    /// <summary>A body whose length the client does not know, so it goes chunked.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
