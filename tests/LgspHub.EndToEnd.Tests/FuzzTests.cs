using System.Net;
using System.Text;

namespace LgspHub.EndToEnd.Tests;

[Collection(HubTests.Name)]
public sealed class FuzzTests(HubFixture hub)
{
    private const int Requests = 300;

    [Fact]
    public async Task Fuzzed_and_malformed_requests_get_4xx_never_5xx_and_every_one_is_recorded()
    {
        var random = new Random(20261123);
        var token = await hub.Everything.TokenAsync(hub.GatewayUrl);
        using var http = new HttpClient { BaseAddress = hub.GatewayUrl, Timeout = TimeSpan.FromSeconds(30) };
        var failures = new List<string>();
        var transactionIds = new List<string>();

        for (var i = 0; i < Requests; i++)
        {
            using var request = Mutate(random, token);
            var description = $"{request.Method} {request.RequestUri}";
            using var response = await http.SendAsync(request);
            if ((int)response.StatusCode >= 500)
                failures.Add($"{(int)response.StatusCode} for {description}");
            if (response.Headers.TryGetValues("X-Lgsp-Transaction-Id", out var ids))
                transactionIds.Add(ids.Single());
            else
                failures.Add($"no transaction id for {description}");
        }

        Assert.Empty(failures);
        Assert.Equal(Requests, transactionIds.Distinct().Count());
        foreach (var host in hub.Hosts.Values)
            Assert.False(host.HasExited, $"{host.Name} crashed");
    }

    private static readonly string[] Paths =
    [
        "/api/population/citizens/{id}", "/api/population/identity-verifications", "/api/civil-status/birth-dossiers",
        "/api/civil-status/death-dossiers", "/api/civil-status/dossiers/{id}", "/api/civil-status/dossiers?state={id}&limit={id}",
        "/api/land/transfers", "/api/land/parcels/{id}/{id}/{id}", "/api/health-insurance/check-ins", "/api/health-insurance/cards/{id}",
        "/connect/token", "/catalog", "/lgsp/transactions?from={id}&outcome={id}", "/lgsp/audit?personalId={id}", "/api/{id}", "/{id}",
    ];

    private static readonly string[] Ids =
    [
        "049085000123", "0", "-1", "99999999999999999999", "%00", "..%2F..%2Fetc%2Fpasswd", "<script>", "' OR 1=1 --",
        "00000000-0000-0000-0000-000000000000", "😀", new string('9', 2_000), "%E0%A4%A", "null", "1e309", "Failed,Completed",
    ];

    private static readonly string[] Bodies =
    [
        "", "{", "[]", "null", "\"text\"", "{\"personalId\": 12}", "{\"child\": {\"sex\": 7, \"dateOfBirth\": \"2026-13-45\"}}",
        "{\"from\": {\"personalId\": {\"deep\": [1,2,3]}}}", "grant_type=client_credentials&client_id=%FF", "\u0000\u0001\u0002",
    ];

    private static readonly HttpMethod[] Methods = [HttpMethod.Get, HttpMethod.Post, HttpMethod.Patch, HttpMethod.Put, HttpMethod.Delete];
    private static readonly string[] ContentTypes = ["application/json", "application/x-www-form-urlencoded", "text/plain"];
    private static readonly string[] Purposes = ["kcb", "", "a b", new string('p', 300), "ok.code"];
    private static readonly string[] Officers = ["o-1", "", "x\ty", "..", "officer"];

    private static HttpRequestMessage Mutate(Random random, string token)
    {
        var path = Pick(random, Paths);
        while (path.Contains("{id}", StringComparison.Ordinal))
            path = string.Concat(path.AsSpan(0, path.IndexOf("{id}", StringComparison.Ordinal)), Uri.EscapeDataString(Pick(random, Ids)), path.AsSpan(path.IndexOf("{id}", StringComparison.Ordinal) + 4));
        var method = Pick(random, Methods);
        var request = new HttpRequestMessage(method, path);

        if (method != HttpMethod.Get && method != HttpMethod.Delete)
        {
            var body = random.Next(20) == 0
                ? new string('x', 2 * 1024 * 1024)                      // over the gateway's body limit
                : random.Next(10) == 0 ? Deep(random.Next(50, 2_000)) : Pick(random, Bodies);
            request.Content = new StringContent(body, Encoding.UTF8, Pick(random, ContentTypes));
        }

        switch (random.Next(6))
        {
            case 0: break;                                                               // no token
            case 1: request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token); break;
            case 2: request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token[..^3] + "abc"); break; // tampered
            case 3: request.Headers.TryAddWithoutValidation("Authorization", "Basic ////"); break;
            case 4: request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + new string('a', 10_000)); break;
            default: request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {token}, Bearer {token}"); break;
        }
        if (random.Next(2) == 0)
        {
            request.Headers.TryAddWithoutValidation("X-Lgsp-Purpose", Pick(random, Purposes));
            request.Headers.TryAddWithoutValidation("X-Lgsp-Officer", Pick(random, Officers));
        }
        if (random.Next(4) == 0)
            request.Headers.TryAddWithoutValidation("X-Lgsp-Consumer", "police.population-office"); // spoofing the id agencies trust
        if (random.Next(4) == 0)
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", "10.0.0.1, <script>");
        return request;
    }

    private static string Deep(int depth) => new string('[', depth) + new string(']', depth);

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
