using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LgspHub.Gateway.Access;
using Xunit.Abstractions;

namespace LgspHub.Gateway.Tests;

/// <summary>The token endpoint and the rate limits of callers, against the gateway running in process.</summary>
public sealed class TokenEndpointTests(ITestOutputHelper output)
{
    private const string Legit = "test.legit";
    private const string Victim = "test.victim";
    private const string Unhashed = "test.unhashed";
    private const string Bulk = "test.bulk";
    private const string LegitNetwork = "198.51.100.20";
    private const string AttackerNetwork = "203.0.113.7";

    private static readonly string Secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    private static readonly int FailureLimit = new TokenOptions().FailuresBeforeLockout;

    /// <summary>Every answer a client id gets after its failures is a 429.</summary>
    private static readonly KeyValuePair<string, string>[] LockoutsThatOutlastTheTest =
    [
        Token(nameof(TokenOptions.FirstLockout), "01:00:00"),
        Token(nameof(TokenOptions.LongestLockout), "01:00:00"),
    ];

    private static KeyValuePair<string, string> Token(string option, string value) => new($"{LgspOptions.Section}:{nameof(LgspOptions.Tokens)}:{option}", value);

    private static GatewayHost Host(params KeyValuePair<string, string>[] settings) => new(
        GatewayHost.Consumer(Legit, Secret)
            .Concat(GatewayHost.Consumer(Victim, Secret))
            .Concat(GatewayHost.Consumer(Unhashed, null))
            .Concat(GatewayHost.Consumer(Bulk, Secret, 1_000_000, "population.verify-identity"))
            .Concat(settings)
            .ToDictionary());

    [Theory]
    [InlineData("multipart/form-data; boundary=x", "{\"personalId\": \"049085000123\"}")]
    [InlineData("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nclient_cre")]
    public async Task A_body_that_claims_to_be_a_form_and_is_not_is_a_bad_request(string contentType, string body)
    {
        using var host = Host();
        using var client = host.ClientFrom(LegitNetwork);
        using var content = new StringContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        var response = await client.PostAsync(TokenEndpoint.Path, content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData(5_000_000, 1)]   // one value past the form's 4 MB limit
    [InlineData(10, 5_000)]      // more fields than the form's 1,024
    public async Task A_form_past_the_form_limits_is_an_invalid_request_not_a_server_error(int valueLength, int fields)
    {
        using var host = Host();
        using var client = host.ClientFrom(LegitNetwork);
        var body = string.Join('&', Enumerable.Range(0, fields).Select(i => $"f{i}={new string('a', valueLength)}"));
        using var content = new StringContent("grant_type=client_credentials&" + body, Encoding.ASCII, "application/x-www-form-urlencoded");

        var response = await client.PostAsync(TokenEndpoint.Path, content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("not base64 at all")]
    [InlineData("c2hvcnQ=")]   // base64, but no key
    public void A_signing_key_that_is_not_an_rsa_key_stops_the_gateway_at_its_start(string configured)
    {
        using var host = Host(Token(nameof(TokenOptions.SigningKey), configured));

        var refused = Record.Exception(() => host.CreateClient());

        Assert.NotNull(refused);
        Assert.Contains(HubSecrets.SigningKey, refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_brute_force_is_locked_out_while_another_consumer_gets_its_tokens_at_its_usual_latency()
    {
        using var host = Host(LockoutsThatOutlastTheTest);
        using var legit = host.ClientFrom(LegitNetwork);
        using var attacker = host.ClientFrom(AttackerNetwork);
        var baseline = new List<TimeSpan>();
        for (var i = 0; i < 10; i++)
            baseline.Add(await TimedTokenAsync(legit, Legit, Secret));

        // 200 wrong secrets from 16 tasks, half against a registered id, half guessing ids.
        var attempts = -1;
        var answers = new HttpStatusCode[200];
        var attack = Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref attempts); i < answers.Length; i = Interlocked.Increment(ref attempts))
            {
                using var answer = await attacker.PostAsync(TokenEndpoint.Path, Form(i % 2 == 0 ? Victim : $"guess-{i}", "wrong"));
                answers[i] = answer.StatusCode;
            }
        }))).WaitAsync(TimeSpan.FromSeconds(60));
        var underAttack = new List<TimeSpan>();
        for (var i = 0; i < 100 && (!attack.IsCompleted || underAttack.Count < 5); i++)
            underAttack.Add(await TimedTokenAsync(legit, Legit, Secret));
        await attack;

        // The attacker goes on against the same id, one attempt at a time, until it is told to wait.
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 20 && refused is null; i++)
        {
            var answer = await attacker.PostAsync(TokenEndpoint.Path, Form(Victim, "wrong"));
            answers = [.. answers, answer.StatusCode];
            if (answer.StatusCode == HttpStatusCode.TooManyRequests)
                refused = answer;
            else
                answer.Dispose();
        }

        var usual = Median(baseline);
        var attacked = Median(underAttack);
        output.WriteLine($"median {usual.TotalMilliseconds:F0} ms before, {attacked.TotalMilliseconds:F0} ms over {underAttack.Count} requests under attack; attacker answers: "
            + string.Join(", ", answers.GroupBy(a => a).Select(g => $"{(int)g.Key} x{g.Count()}")));
        Assert.True(attacked <= usual * 3 + TimeSpan.FromMilliseconds(100),
            $"median token latency {attacked.TotalMilliseconds:F0} ms under attack against {usual.TotalMilliseconds:F0} ms before ({underAttack.Count} requests)");
        Assert.NotNull(refused);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.FromMinutes(30), $"Retry-After: {refused.Headers.RetryAfter}");
        Assert.Equal("application/json", refused.Content.Headers.ContentType?.MediaType);
        var victimAnswers = answers.Where((_, i) => i % 2 == 0 || i >= 200).ToList();
        Assert.Equal(FailureLimit, victimAnswers.Count(a => a == HttpStatusCode.Unauthorized));
        Assert.All(answers, a => Assert.True(a is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests, $"{a}"));
    }

    [Theory]
    [InlineData(Victim, "wrong", HttpStatusCode.Unauthorized)]
    [InlineData("no.such-consumer", "wrong", HttpStatusCode.Unauthorized)]
    [InlineData(Unhashed, "wrong", HttpStatusCode.Unauthorized)]
    [InlineData(Legit, null, HttpStatusCode.OK)]
    public async Task Every_client_id_costs_one_secret_check_registered_or_not(string clientId, string? secret, HttpStatusCode status)
    {
        using var host = Host();
        using var http = host.ClientFrom(LegitNetwork);
        using var checks = new CounterWatch(host.Services, ClientSecretChecks.Meter, ClientSecretChecks.ChecksCounter);

        using var answer = await http.PostAsync(TokenEndpoint.Path, Form(clientId, secret ?? Secret));

        Assert.Equal(status, answer.StatusCode);
        Assert.Equal(1, checks.Total);
        if (status != HttpStatusCode.OK)
            Assert.Equal("invalid_client", (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task An_unknown_client_id_is_locked_out_after_as_many_failures_as_a_registered_one()
    {
        using var host = Host(LockoutsThatOutlastTheTest);
        using var http = host.ClientFrom(AttackerNetwork);

        foreach (var clientId in new[] { Victim, "no.such-consumer" })
        {
            var answers = new List<HttpStatusCode>();
            for (var i = 0; i <= FailureLimit; i++)
                answers.Add((await http.PostAsync(TokenEndpoint.Path, Form(clientId, "wrong"))).StatusCode);
            Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, FailureLimit), HttpStatusCode.TooManyRequests], answers);
        }
    }

    [Fact]
    public async Task A_lockout_keeps_out_the_right_secret_too_and_other_client_ids_are_not_affected()
    {
        using var host = Host(LockoutsThatOutlastTheTest);
        using var http = host.ClientFrom(AttackerNetwork);
        using var checks = new CounterWatch(host.Services, ClientSecretChecks.Meter, ClientSecretChecks.ChecksCounter);
        for (var i = 0; i < FailureLimit; i++)
            await http.PostAsync(TokenEndpoint.Path, Form(Victim, "wrong"));

        var locked = await http.PostAsync(TokenEndpoint.Path, Form(Victim, Secret));
        var other = await http.PostAsync(TokenEndpoint.Path, Form(Legit, Secret));

        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.NotNull(locked.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(FailureLimit + 1, checks.Total);
    }

    [Fact]
    public async Task The_token_endpoint_limits_a_caller_by_its_network_even_when_it_sends_a_valid_bearer()
    {
        using var host = Host();
        using var http = host.ClientFrom(AttackerNetwork);
        var token = await TokenAsync(http, Bulk, Secret);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        Assert.True(await FirstRefusalAsync(() => http.PostAsync(TokenEndpoint.Path, new FormUrlEncodedContent([new("grant_type", "password")]))) is not null,
            "a consumer's bearer lifted the token endpoint's limit");
    }

    [Fact]
    public async Task A_forged_bearer_is_limited_as_an_anonymous_caller_and_a_valid_one_as_its_consumer()
    {
        using var host = Host();
        using var forged = host.ClientFrom(AttackerNetwork);
        forged.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ForgedToken(Bulk));
        using var valid = host.ClientFrom(LegitNetwork);
        valid.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(valid, Bulk, Secret));

        var forgedRefusal = await FirstRefusalAsync(() => forged.GetAsync("/lgsp/audit"));
        var validRefusal = await FirstRefusalAsync(() => valid.GetAsync("/lgsp/audit"));

        Assert.NotNull(forgedRefusal);
        Assert.True(forgedRefusal.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Null(validRefusal);
    }

    [Fact]
    public async Task Ipv6_callers_share_the_anonymous_limit_of_their_64_bit_prefix()
    {
        using var host = Host();
        using var http = host.CreateClient();
        var next = 0;

        var refusal = await FirstRefusalAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, TokenEndpoint.Path) { Content = new FormUrlEncodedContent([new("grant_type", "password")]) };
            request.Headers.Add(GatewayHost.PeerHeader, $"2001:db8:1:2::{++next:x}");
            return await http.SendAsync(request);
        });
        using var neighbour = new HttpRequestMessage(HttpMethod.Post, TokenEndpoint.Path) { Content = new FormUrlEncodedContent([new("grant_type", "password")]) };
        neighbour.Headers.Add(GatewayHost.PeerHeader, "2001:db8:1:3::1");

        Assert.NotNull(refusal);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(neighbour)).StatusCode);
    }

    /// <summary>The first 429 within a bounded run of requests, or null.</summary>
    private static async Task<HttpResponseMessage?> FirstRefusalAsync(Func<Task<HttpResponseMessage>> send)
    {
        for (var i = 0; i < 1_000; i++)
        {
            var answer = await send();
            if (answer.StatusCode == HttpStatusCode.TooManyRequests)
                return answer;
            answer.Dispose();
        }
        return null;
    }

    private static async Task<TimeSpan> TimedTokenAsync(HttpClient http, string clientId, string secret)
    {
        var started = Stopwatch.GetTimestamp();
        await TokenAsync(http, clientId, secret);
        return Stopwatch.GetElapsedTime(started);
    }

    private static async Task<string> TokenAsync(HttpClient http, string clientId, string secret)
    {
        using var answer = await http.PostAsync(TokenEndpoint.Path, Form(clientId, secret));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        return (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    private static TimeSpan Median(List<TimeSpan> values) => values.Order().ElementAt(values.Count / 2);

    private static FormUrlEncodedContent Form(string clientId, string secret) => new(
    [
        new("grant_type", "client_credentials"),
        new("client_id", clientId),
        new("client_secret", secret),
    ]);

    /// <summary>A well-formed token for a registered consumer, signed with a key that is not the gateway's.</summary>
    private static string ForgedToken(string clientId)
    {
        static string Part(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new { iss = new TokenOptions().IssuerUri.AbsoluteUri, aud = TokenEndpoint.Audience, sub = clientId, client_id = clientId, iat = now, nbf = now, exp = now + 600 };
        var unsigned = $"{Part(JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256", typ = "at+jwt" }))}.{Part(JsonSerializer.SerializeToUtf8Bytes(claims))}";
        using var key = RSA.Create(2048);
        return $"{unsigned}.{Part(key.SignData(Encoding.ASCII.GetBytes(unsigned), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))}";
    }
}
