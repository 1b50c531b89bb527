using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LgspHub.Contracts;
using LgspHub.Gateway.Access;
using LgspHub.Gateway.Transactions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LgspHub.Gateway.Tests;

/// <summary>The operators' API for consumer systems (/lgsp/consumers), against the gateway in process.</summary>
public sealed class ConsumersApiTests : IDisposable
{
    private const string Operator = "test.operator";
    private const string Outsider = "test.outsider";
    private const string Configured = "test.configured";
    private static readonly string Secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private static readonly string[] LandOnly = ["land.*"];

    private readonly string _database = Path.Combine(Path.GetTempPath(), $"lgsp-consumers-test-{Guid.NewGuid():N}.db");
    private readonly List<GatewayHost> _hosts = [];

    /// <summary>A gateway on this test's database: several of them share it as instances of one hub would.</summary>
    private GatewayHost Host(TimeSpan? refresh = null)
    {
        var settings = GatewayHost.Consumer(Operator, Secret, 100_000,
                ConsumersApi.RegisterOperation.Name, ConsumersApi.ReadOperation.Name, ConsumersApi.RevokeOperation.Name, "lgsp.read-transactions")
            .Concat(GatewayHost.Consumer(Outsider, Secret, 100_000, "*", "lgsp.read-transactions"))
            .Concat(GatewayHost.Consumer(Configured, Secret, 100_000, "land.*"))
            .ToDictionary();
        settings["ConnectionStrings:database"] = $"Data Source={_database}";
        settings[$"{LgspOptions.Section}:{nameof(LgspOptions.RegistrationsRefresh)}"] = (refresh ?? TimeSpan.FromSeconds(2)).ToString("c");
        var host = new GatewayHost(settings);
        _hosts.Add(host);
        return host;
    }

    public void Dispose()
    {
        foreach (var host in _hosts)
            host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _database, _database + "-wal", _database + "-shm" })
            File.Delete(file);
    }

    [Fact]
    public async Task A_registered_consumer_gets_a_token_at_once_and_calls_what_its_rights_name_only()
    {
        using var host = Host();
        using var operatorClient = await ClientAsync(host, Operator, Secret);

        var response = await operatorClient.PostAsJsonAsync(ConsumersApi.Path, Registration("hospital.test-one", ["lgsp.read-transactions", "land.*"]));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"{ConsumersApi.Path}/hospital.test-one", response.Headers.Location?.ToString());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var issued = (await response.Content.ReadFromJsonAsync<IssuedConsumer>())!;
        Assert.Equal(["lgsp.read-transactions", "land.*"], issued.Rights);
        Assert.True(issued.ClientSecret.Length >= 40, "a secret of 256 random bits");
        using var registered = await ClientAsync(host, "hospital.test-one", issued.ClientSecret);
        Assert.Equal(HttpStatusCode.OK, (await registered.GetAsync("/lgsp/transactions")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await registered.GetAsync("/lgsp/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await registered.GetAsync("/api/population/citizens/049226000141")).StatusCode);
        // Its land right lets it past the rights check (no agency runs here, so the gateway answers for it).
        Assert.NotEqual(HttpStatusCode.Forbidden, (await registered.GetAsync("/api/land/parcels/20305/1/1")).StatusCode);
        Assert.Contains(await CatalogueConsumersAsync(registered, "land.read-parcel"), id => id == "hospital.test-one");
    }

    [Fact]
    public async Task The_secret_is_shown_once_and_only_its_hash_is_stored()
    {
        using var host = Host();
        using var operatorClient = await ClientAsync(host, Operator, Secret);
        var issued = await RegisterAsync(operatorClient, "hospital.test-two", ["land.*"]);

        var list = await operatorClient.GetStringAsync(ConsumersApi.Path);
        var one = await operatorClient.GetStringAsync($"{ConsumersApi.Path}/hospital.test-two");

        Assert.DoesNotContain(issued.ClientSecret, list, StringComparison.Ordinal);
        Assert.DoesNotContain("AQAAAA", list, StringComparison.Ordinal);   // no hash either
        Assert.DoesNotContain(issued.ClientSecret, one, StringComparison.Ordinal);
        var listing = JsonSerializer.Deserialize<ConsumerListing[]>(list, JsonSerializerOptions.Web)!;
        Assert.Equal(ConsumersApi.RegisteredSource, listing.Single(c => c.Id == "hospital.test-two").Source);
        Assert.Equal(Operator, listing.Single(c => c.Id == "hospital.test-two").RegisteredBy);
        Assert.Equal(ConsumersApi.ConfiguredSource, listing.Single(c => c.Id == Configured).Source);
        var stored = await DatabaseBytesAsync(host);
        Assert.DoesNotContain(issued.ClientSecret, stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registering_and_revoking_are_audited_naming_the_operator_and_the_consumer_never_the_secret()
    {
        using var host = Host();
        using var operatorClient = await ClientAsync(host, Operator, Secret);
        var issued = await RegisterAsync(operatorClient, "hospital.test-audited", ["land.*"], officer: "officer.nguyen-van-a");

        Assert.Equal(HttpStatusCode.NoContent, (await operatorClient.DeleteAsync($"{ConsumersApi.Path}/hospital.test-audited")).StatusCode);

        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDb>();
        var entries = await db.Audit.AsNoTracking().Where(a => a.Target == "hospital.test-audited").OrderBy(a => a.Sequence).ToListAsync();
        Assert.Equal([ConsumersApi.RegisterOperation.Name, ConsumersApi.RevokeOperation.Name], entries.Select(e => e.Operation).ToArray());
        Assert.All(entries, e => Assert.Equal(Operator, e.Consumer));
        Assert.All(entries, e => Assert.Equal(Outcome.Succeeded, e.Outcome));
        Assert.Equal("officer.nguyen-van-a", entries[0].Officer);
        Assert.DoesNotContain(entries, e => JsonSerializer.Serialize(e).Contains(issued.ClientSecret, StringComparison.Ordinal));
        var chain = await AuditChain.VerifyAsync(db);
        Assert.True(chain.Intact, chain.Message);
    }

    [Fact]
    public async Task A_revoked_consumer_gets_no_new_token_and_its_token_is_refused_at_its_next_request()
    {
        using var host = Host();
        using var operatorClient = await ClientAsync(host, Operator, Secret);
        var issued = await RegisterAsync(operatorClient, "hospital.test-revoked", ["lgsp.read-transactions"]);
        using var registered = await ClientAsync(host, issued.Id, issued.ClientSecret);
        Assert.Equal(HttpStatusCode.OK, (await registered.GetAsync("/lgsp/transactions")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await operatorClient.DeleteAsync($"{ConsumersApi.Path}/{issued.Id}")).StatusCode);

        // Its token no longer authenticates anyone: refused where it had a right, and where any consumer may go.
        Assert.Equal(HttpStatusCode.Unauthorized, (await registered.GetAsync("/lgsp/transactions")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await registered.GetAsync("/catalog")).StatusCode);
        using var anonymous = host.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync(TokenEndpoint.Path, TokenForm(issued.Id, issued.ClientSecret))).StatusCode);
        var listing = (await operatorClient.GetFromJsonAsync<ConsumerListing>($"{ConsumersApi.Path}/{issued.Id}"))!;
        Assert.NotNull(listing.RevokedAt);
        Assert.Equal(Operator, listing.RevokedBy);
    }

    [Fact]
    public async Task Another_gateway_instance_on_the_same_database_admits_and_refuses_within_its_refresh_interval()
    {
        var refresh = TimeSpan.FromMilliseconds(500);
        using var first = Host(refresh);
        using var second = Host(refresh);
        using var operatorClient = await ClientAsync(first, Operator, Secret);
        using var other = second.CreateClient();
        var issued = await RegisterAsync(operatorClient, "hospital.test-shared", ["lgsp.read-transactions"]);

        var token = await Eventually(async () =>
        {
            using var answer = await other.PostAsync(TokenEndpoint.Path, TokenForm(issued.Id, issued.ClientSecret));
            return answer.IsSuccessStatusCode ? (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString() : null;
        }, "a token from the other instance");
        other.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/lgsp/transactions")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await operatorClient.DeleteAsync($"{ConsumersApi.Path}/{issued.Id}")).StatusCode);
        var revokedAt = DateTime.UtcNow;

        await Eventually(async () => (await other.GetAsync("/lgsp/transactions")).StatusCode == HttpStatusCode.Unauthorized ? "refused" : null,
            "the other instance to refuse the revoked consumer's token");
        // The bound README states: the refresh interval, with room for a loaded test machine.
        Assert.InRange(DateTime.UtcNow - revokedAt, TimeSpan.Zero, refresh + TimeSpan.FromSeconds(3));
    }

    [Theory]
    [InlineData("Hospital.Upper", "land.*", HttpStatusCode.BadRequest, "id")]
    [InlineData("bad id", "land.*", HttpStatusCode.BadRequest, "id")]
    [InlineData("bad/../id", "land.*", HttpStatusCode.BadRequest, "id")]
    [InlineData("lgsp.impostor", "land.*", HttpStatusCode.BadRequest, "id")]
    [InlineData("hospital.ok", "land.no-such-operation", HttpStatusCode.BadRequest, "rights")]
    [InlineData("hospital.ok", "nowhere.*", HttpStatusCode.BadRequest, "rights")]
    [InlineData("hospital.ok", "", HttpStatusCode.BadRequest, "rights")]
    [InlineData(Configured, "land.*", HttpStatusCode.Conflict, null)]
    [InlineData("hospital.ok", "lgsp.read-audit", HttpStatusCode.Forbidden, null)]
    [InlineData("hospital.ok", "lgsp.*", HttpStatusCode.Forbidden, null)]
    public async Task A_bad_registration_is_a_problem_and_registers_nothing(string id, string right, HttpStatusCode status, string? field)
    {
        using var host = Host();
        using var operatorClient = await ClientAsync(host, Operator, Secret);

        var response = await operatorClient.PostAsJsonAsync(ConsumersApi.Path, Registration(id, [right]));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (field is not null)
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        var listing = await operatorClient.GetFromJsonAsync<ConsumerListing[]>(ConsumersApi.Path);
        Assert.DoesNotContain(listing!, c => c is { Source: ConsumersApi.RegisteredSource });
    }

    [Fact]
    public async Task Registrations_of_one_id_at_once_register_it_once()
    {
        using var host = Host();
        using var operatorClient = await ClientAsync(host, Operator, Secret);

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var response = await operatorClient.PostAsJsonAsync(ConsumersApi.Path, Registration("hospital.test-race", ["land.*"]));
            return response.StatusCode;
        }));

        Assert.Equal(1, answers.Count(a => a == HttpStatusCode.Created));
        Assert.All(answers.Where(a => a != HttpStatusCode.Created), a => Assert.Equal(HttpStatusCode.Conflict, a));
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDb>();
        Assert.Equal(1, await db.Audit.CountAsync(a => a.Target == "hospital.test-race"));
    }

    [Theory]
    [InlineData("Bệnh viện\u202Egnol")]
    [InlineData("line\\nbreak")]
    [InlineData("   ")]
    public async Task A_display_name_that_could_read_as_another_is_refused(string escaped)
    {
        using var host = Host();
        using var operatorClient = await ClientAsync(host, Operator, Secret);
        var body = $$"""{"id": "hospital.named", "displayName": "{{escaped}}", "rights": ["land.*"]}""";

        var response = await operatorClient.PostAsync(ConsumersApi.Path, new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, problem);
        Assert.True(JsonDocument.Parse(problem).RootElement.GetProperty("errors").TryGetProperty("displayName", out _), problem);
    }

    [Fact]
    public async Task An_id_is_never_given_twice_not_even_after_it_was_revoked()
    {
        using var host = Host();
        using var operatorClient = await ClientAsync(host, Operator, Secret);
        await RegisterAsync(operatorClient, "hospital.test-twice", ["land.*"]);

        var again = await operatorClient.PostAsJsonAsync(ConsumersApi.Path, Registration("hospital.test-twice", ["land.*"]));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await operatorClient.DeleteAsync($"{ConsumersApi.Path}/hospital.test-twice")).StatusCode);
        var afterRevoke = await operatorClient.PostAsJsonAsync(ConsumersApi.Path, Registration("hospital.test-twice", ["land.*"]));

        Assert.Equal(HttpStatusCode.Conflict, afterRevoke.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await operatorClient.DeleteAsync($"{ConsumersApi.Path}/hospital.test-twice")).StatusCode);
    }

    [Fact]
    public async Task Revoking_a_configured_or_unknown_consumer_is_a_problem()
    {
        using var host = Host();
        using var operatorClient = await ClientAsync(host, Operator, Secret);

        Assert.Equal(HttpStatusCode.Conflict, (await operatorClient.DeleteAsync($"{ConsumersApi.Path}/{Configured}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await operatorClient.DeleteAsync($"{ConsumersApi.Path}/no.such-consumer")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await operatorClient.GetAsync($"{ConsumersApi.Path}/no.such-consumer")).StatusCode);
    }

    [Fact]
    public async Task Bodies_that_are_not_a_small_json_registration_are_refused()
    {
        using var host = Host();
        using var operatorClient = await ClientAsync(host, Operator, Secret);
        var huge = JsonSerializer.Serialize(new { id = "hospital.huge", displayName = new string('x', 10 * 1024 * 1024), rights = LandOnly });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await operatorClient.PostAsync(ConsumersApi.Path, new StringContent(huge, Encoding.UTF8, "application/json"))).StatusCode);
        using var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(huge)));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await operatorClient.PostAsync(ConsumersApi.Path, chunked)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await operatorClient.PostAsync(ConsumersApi.Path, new StringContent("{\"id\":", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await operatorClient.PostAsync(ConsumersApi.Path, new StringContent("null", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await operatorClient.PostAsync(ConsumersApi.Path, new StringContent("{\"id\": 5}", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await operatorClient.PostAsync(ConsumersApi.Path, new StringContent("id=x", Encoding.UTF8, "application/x-www-form-urlencoded"))).StatusCode);
    }

    [Fact]
    public async Task Only_a_consumer_with_the_right_may_register_list_or_revoke_and_star_is_not_it()
    {
        using var host = Host();
        using var outsider = await ClientAsync(host, Outsider, Secret);
        using var anonymous = host.CreateClient();

        Assert.Equal(HttpStatusCode.Forbidden, (await outsider.PostAsJsonAsync(ConsumersApi.Path, Registration("hospital.sneaky", ["*"]))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await outsider.GetAsync(ConsumersApi.Path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await outsider.DeleteAsync($"{ConsumersApi.Path}/{Configured}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync(ConsumersApi.Path, Registration("hospital.sneaky", ["*"]))).StatusCode);
        await using var scope = host.Services.CreateAsyncScope();
        await host.Services.GetRequiredService<TransactionLog>().Ready;
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<GatewayDb>().Set<RegisteredConsumer>().CountAsync());
    }

    [Fact]
    public async Task A_registration_the_audit_cannot_record_is_undone_and_its_secret_never_shown()
    {
        using var host = Host();
        using var operatorClient = await ClientAsync(host, Operator, Secret);
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GatewayDb>();
        await host.Services.GetRequiredService<TransactionLog>().Ready;
        await db.Database.ExecuteSqlRawAsync("DROP TABLE Audit");

        var response = await operatorClient.PostAsJsonAsync(ConsumersApi.Path, Registration("hospital.test-unaudited", ["land.*"]));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.DoesNotContain("lgsp_", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await db.Set<RegisteredConsumer>().CountAsync());
        Assert.Null(host.Services.GetRequiredService<IConsumerRegistry>().Find("hospital.test-unaudited"));
    }

    [Fact]
    public async Task The_gateway_is_unready_until_it_has_read_the_registered_consumers()
    {
        using var host = Host();
        host.CreateClient().Dispose();
        var services = host.Services;
        var registry = new ConsumerRegistry(services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<LgspOptions>>(), services.GetRequiredService<IServiceScopeFactory>(),
            services.GetRequiredService<TransactionLog>(), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<ConsumerRegistry>.Instance);
        var check = new ConsumerRegistryHealthCheck(registry);

        var before = await check.CheckHealthAsync(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext());
        await registry.RefreshAsync(CancellationToken.None);
        var after = await check.CheckHealthAsync(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext());

        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy, before.Status);
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, after.Status);
        registry.Dispose();
    }

    private static object Registration(string id, string[] rights) => new { id, displayName = "Test " + id, rights, requestsPerSecond = 50 };

    private static async Task<IssuedConsumer> RegisterAsync(HttpClient client, string id, string[] rights, string? officer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ConsumersApi.Path) { Content = JsonContent.Create(Registration(id, rights)) };
        if (officer is not null)
            request.Headers.Add(PersonalDataPurpose.OfficerHeader, officer);
        using var response = await client.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<IssuedConsumer>())!;
    }

    private static async Task<HttpClient> ClientAsync(GatewayHost host, string id, string secret)
    {
        var client = host.CreateClient();
        using var response = await client.PostAsync(TokenEndpoint.Path, TokenForm(id, secret));
        Assert.True(response.IsSuccessStatusCode, $"a token for {id}: {(int)response.StatusCode}");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString());
        return client;
    }

    private static FormUrlEncodedContent TokenForm(string id, string secret) => new(new Dictionary<string, string>
    {
        ["grant_type"] = "client_credentials", ["client_id"] = id, ["client_secret"] = secret,
    });

    private static async Task<string[]> CatalogueConsumersAsync(HttpClient client, string operation)
    {
        var catalogue = await client.GetFromJsonAsync<JsonElement>("/catalog");
        return catalogue.EnumerateArray().SelectMany(s => s.GetProperty("operations").EnumerateArray())
            .Where(o => o.GetProperty("name").GetString() == operation)
            .SelectMany(o => o.GetProperty("consumers").EnumerateArray().Select(c => c.GetString()!))
            .ToArray();
    }

    /// <summary>The database's bytes as text (the main file and its write-ahead log), to look for what must not be there.</summary>
    private async Task<string> DatabaseBytesAsync(GatewayHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<GatewayDb>().Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(FULL)");
        var text = new StringBuilder();
        foreach (var file in new[] { _database, _database + "-wal" }.Where(File.Exists))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.Latin1);
            text.Append(await reader.ReadToEndAsync());
        }
        return text.ToString();
    }

    private static async Task<T> Eventually<T>(Func<Task<T?>> probe, string what) where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } found)
                return found;
            await Task.Delay(50);
        }
        throw new TimeoutException($"Timed out waiting for {what}.");
    }
}
