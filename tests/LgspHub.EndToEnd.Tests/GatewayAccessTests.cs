using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LgspHub.Gateway.Proxy;
using Microsoft.Extensions.Configuration;

namespace LgspHub.EndToEnd.Tests;

[Collection(HubTests.Name)]
public sealed class GatewayAccessTests(HubFixture hub)
{
    [Fact]
    public async Task A_registered_consumer_gets_a_short_lived_signed_token()
    {
        using var http = new HttpClient { BaseAddress = hub.GatewayUrl };

        var response = await http.PostAsync("/connect/token", Form(hub.Hospital.Id, hub.Hospital.Secret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Bearer", token.GetProperty("token_type").GetString());
        Assert.InRange(token.GetProperty("expires_in").GetInt32(), 60, 3600);
        Assert.Equal(3, token.GetProperty("access_token").GetString()!.Split('.').Length);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Theory]
    [InlineData("test.hospital", "wrong-secret", HttpStatusCode.Unauthorized, "invalid_client")]
    [InlineData("no.such-consumer", "anything", HttpStatusCode.Unauthorized, "invalid_client")]
    [InlineData("test.hospital", null, HttpStatusCode.BadRequest, "unsupported_grant_type")]
    public async Task Bad_token_requests_are_refused_with_an_oauth_error(string clientId, string? secret, HttpStatusCode status, string error)
    {
        using var http = new HttpClient { BaseAddress = hub.GatewayUrl };
        var form = secret is null
            ? new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "password", ["client_id"] = clientId })
            : Form(clientId, secret);

        var response = await http.PostAsync("/connect/token", form);

        // RFC 6749 §5.2, as OAuth client libraries read it: JSON with error and error_description, never cached.
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error_description").GetString()));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        // Credentials in the form are not challenged: a browser would prompt for a user name and password.
        Assert.Empty(response.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task Wrong_credentials_sent_with_HTTP_Basic_are_challenged_as_RFC_6749_asks()
    {
        using var http = new HttpClient { BaseAddress = hub.GatewayUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("test.hospital:wrong-secret"u8.ToArray()));

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
    }

    [Fact]
    public async Task Without_a_token_an_operation_answers_401_with_a_problem()
    {
        using var http = new HttpClient { BaseAddress = hub.GatewayUrl };

        var response = await http.GetAsync("/api/land/parcels/20305/1/1");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        Assert.Contains("/connect/token", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJjbGllbnRfaWQiOiJ0ZXN0LmV2ZXJ5dGhpbmcifQ.")]
    public async Task A_malformed_or_unsigned_token_answers_401(string token)
    {
        using var http = new HttpClient { BaseAddress = hub.GatewayUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/land/parcels/20305/1/1")).StatusCode);
    }

    [Fact]
    public async Task An_expired_token_or_one_signed_with_another_key_or_algorithm_answers_401()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var gatewayKey = RSA.Create();
        gatewayKey.ImportPkcs8PrivateKey(Convert.FromBase64String(hub.SigningKey), out _);
        using var otherKey = RSA.Create(2048);
        using var http = new HttpClient { BaseAddress = hub.GatewayUrl };

        foreach (var token in new[]
        {
            Jwt("RS256", unsigned => gatewayKey.SignData(unsigned, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), now - 3600, now - 1800),
            Jwt("RS256", unsigned => otherKey.SignData(unsigned, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), now, now + 600),
            // Algorithm confusion: the gateway's public key, which anyone can read at the JWKS endpoint, as an HMAC secret.
            Jwt("HS256", unsigned => HMACSHA256.HashData(gatewayKey.ExportSubjectPublicKeyInfo(), unsigned), now, now + 600),
            Jwt("none", _ => [], now, now + 600),
        })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/land/parcels/20305/1/1");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(request)).StatusCode);
        }
        // The same hand-made token, signed with the gateway's key and in date, is accepted: the refusals above are for what differs.
        using var valid = new HttpRequestMessage(HttpMethod.Get, "/api/land/parcels/20305/1/1");
        valid.Headers.Authorization = new AuthenticationHeaderValue("Bearer",
            Jwt("RS256", unsigned => gatewayKey.SignData(unsigned, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), now, now + 600));
        Assert.NotEqual(HttpStatusCode.Unauthorized, (await http.SendAsync(valid)).StatusCode);
    }

    [Fact]
    public async Task A_consumer_without_the_right_gets_403_naming_only_the_operation_it_called()
    {
        using var hospital = await hub.Hospital.ClientAsync(hub.GatewayUrl);
        var holder = hub.Citizens(Pool.ReadOnly).First(c => c.Card is not null);

        var card = await hospital.GetAsync($"/api/health-insurance/cards/{holder.PersonalId}");
        var land = await hospital.GetAsync($"/api/land/owners/{holder.PersonalId}/parcels");

        Assert.Equal(HttpStatusCode.OK, card.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, land.StatusCode);
        var problem = await land.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("This consumer has no right to call land.parcels-of-owner.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_access_matrix_is_enforced_for_every_route()
    {
        using var hospital = await hub.Hospital.ClientAsync(hub.GatewayUrl);
        // Anonymous routes (the OpenAPI documents, lgsp.read-openapi) name an operation for the figures, not for rights.
        var routes = GatewayRoutes().Where(r => r is { Operation: not null, Anonymous: false }).ToList();
        Assert.NotEmpty(routes);

        foreach (var route in routes)
        {
            using var request = new HttpRequestMessage(new HttpMethod(route.Method), SamplePath(route.Path));
            if (route.Method != "GET")
                request.Content = JsonContent.Create(new { });
            var status = (await hospital.SendAsync(request)).StatusCode;

            var allowed = hub.Hospital.Rights.Contains(route.Operation);
            Assert.True(allowed ? status is not (HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized) : status == HttpStatusCode.Forbidden,
                $"{route.Operation} ({route.Method} {route.Path}) answered {(int)status} to a consumer {(allowed ? "with" : "without")} the right");
        }
    }

    [Fact]
    public async Task A_consumer_over_its_rate_limit_gets_429_with_retry_after()
    {
        using var throttled = await hub.Throttled.ClientAsync(hub.GatewayUrl);

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
            responses.Add(await throttled.GetAsync("/api/land/parcels/20305/1/1"));

        var refused = responses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_personal_data_operation_without_purpose_and_officer_is_refused()
    {
        var citizen = hub.Citizens(Pool.ReadOnly).First();
        using var http = new HttpClient { BaseAddress = hub.GatewayUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await hub.Everything.TokenAsync(hub.GatewayUrl));

        var personal = await http.GetAsync($"/api/population/citizens/{citizen.PersonalId}");
        var notPersonal = await http.GetAsync("/api/civil-status/dossiers/statistics");

        Assert.Equal(HttpStatusCode.BadRequest, personal.StatusCode);
        var errors = (await personal.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("X-Lgsp-Purpose", out _));
        Assert.True(errors.TryGetProperty("X-Lgsp-Officer", out _));
        Assert.Equal(HttpStatusCode.OK, notPersonal.StatusCode);
    }

    [Theory]
    [InlineData("{\"personalId\": \"049085000123\", \"PersonalId\": \"049085000124\", \"fullName\": \"A B\", \"dateOfBirth\": \"1985-01-01\"}", "application/json", 400)]
    [InlineData("{\"personalId\": \"049085000123\", \"fullName\": \"A B\", \"dateOfBirth\": \"1985-01-01\", \"padding\": \"#\"}", "application/json", 413)]
    [InlineData("{\"personalId\": \"049085000123\", \"fullName\": \"A B\", \"dateOfBirth\": \"1985-01-01\"}", "application/json; charset=utf-16", 415)]
    [InlineData("{\"personalId\": 49085000123, \"fullName\": \"A B\", \"dateOfBirth\": \"1985-01-01\"}", "application/json", 400)]
    [InlineData("{\"personalId\": \"049085000123\", \"fullName\": \"A B\", \"dateOfBirth\": \"1985-01-01\"", "application/json", 400)]
    public async Task A_personal_data_body_whose_subjects_cannot_all_be_read_for_the_audit_is_refused(string body, string contentType, int status)
    {
        body = body.Replace("#", new string('x', 70_000), StringComparison.Ordinal);
        var media = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        var bytes = (media.CharSet == "utf-16" ? Encoding.Unicode : Encoding.UTF8).GetBytes(body);
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = media;

        var response = await hub.Gateway.PostAsync("/api/population/identity-verifications", content);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("Unreadable personal-data request", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.False(response.Headers.Contains("X-Lgsp-Agency-Status"), "the request reached the agency");
    }

    [Fact]
    public async Task A_personal_data_body_with_bytes_that_are_not_utf8_is_a_bad_request_not_a_server_error()
    {
        byte[] body = [.. Encoding.UTF8.GetBytes("{\"personalId\": \"049085000123\", \"fullName\": \"A "), 0xC3, 0x28, 0xFF, .. Encoding.UTF8.GetBytes("\", \"dateOfBirth\": \"1985-01-01\"}")];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        var response = await hub.Gateway.PostAsync("/api/population/identity-verifications", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static FormUrlEncodedContent Form(string clientId, string secret) => new(new Dictionary<string, string>
    {
        ["grant_type"] = "client_credentials",
        ["client_id"] = clientId,
        ["client_secret"] = secret,
    });

    /// <summary>A hand-made token for a registered consumer, as the gateway would issue it but for its signature and times.</summary>
    private string Jwt(string algorithm, Func<byte[], byte[]> sign, long issuedAt, long expires)
    {
        static string Part(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var claims = new { iss = hub.GatewayUrl.AbsoluteUri, aud = "lgsp-hub", sub = "test.everything", client_id = "test.everything", iat = issuedAt, nbf = issuedAt, exp = expires };
        var unsigned = $"{Part(JsonSerializer.SerializeToUtf8Bytes(new { alg = algorithm, typ = "at+jwt" }))}.{Part(JsonSerializer.SerializeToUtf8Bytes(claims))}";
        return $"{unsigned}.{Part(sign(Encoding.ASCII.GetBytes(unsigned)))}";
    }

    private sealed record GatewayRoute(string? Operation, string Method, string Path, bool Anonymous);

    private static IEnumerable<GatewayRoute> GatewayRoutes()
    {
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(HubLayout.RepositoryRoot, "gateway/LgspHub.Gateway/appsettings.json")));
        foreach (var route in settings.RootElement.GetProperty("ReverseProxy").GetProperty("Routes").EnumerateObject())
        {
            var operation = route.Value.TryGetProperty("Metadata", out var metadata) ? metadata.GetProperty("Operation").GetString() : null;
            var match = route.Value.GetProperty("Match");
            var anonymous = string.Equals(route.Value.GetProperty("AuthorizationPolicy").GetString(), "anonymous", StringComparison.OrdinalIgnoreCase);
            yield return new GatewayRoute(operation, match.GetProperty("Methods")[0].GetString()!, match.GetProperty("Path").GetString()!, anonymous);
        }
        // And those every agency has alike, which the gateway makes in code (fault injection's among them).
        using var generated = new AgencyRoutes(new ConfigurationBuilder().Build());
        foreach (var route in generated.GetConfig().Routes)
        {
            var anonymous = string.Equals(route.AuthorizationPolicy, "anonymous", StringComparison.OrdinalIgnoreCase);
            yield return new GatewayRoute(route.Metadata?["Operation"], route.Match.Methods![0], route.Match.Path!, anonymous);
        }
    }

    private static string SamplePath(string template) => template
        .Replace("{personalId}", "049085000123", StringComparison.Ordinal)
        .Replace("{number}", "KS-20305-1990-000001", StringComparison.Ordinal)
        .Replace("{communeCode}", "20305", StringComparison.Ordinal)
        .Replace("{mapSheet}", "1", StringComparison.Ordinal)
        .Replace("{parcelNumber}", "1", StringComparison.Ordinal)
        .Replace("{id:guid}", "01a207b3-e98c-785f-95b3-832296b3e67a", StringComparison.Ordinal);
}
