using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LgspHub.Contracts;
using LgspHub.Seeding;
using LgspHub.ServiceDefaults;

namespace LgspHub.Benchmarks;

/// <summary>One dossier of a run: when its submission was sent and when its last step ended, on the machine's wall clock.</summary>
public readonly record struct DossierTiming(DateTimeOffset Submitted, DateTimeOffset Ended);

/// <summary>Something that takes birth dossiers from submission to completion.</summary>
public interface IDossierPipeline : IAsyncDisposable
{
    /// <summary>Submits <paramref name="dossiers"/> at once (<paramref name="submitters"/> in parallel) and returns when every one has completed.</summary>
    Task<IReadOnlyList<DossierTiming>> RunAsync(int dossiers, int submitters, CancellationToken cancellationToken);
}

/// <summary>The bench cannot measure: the hub refused or ended a dossier, or the broker is gone.</summary>
public sealed class DossierBenchException(string message) : Exception(message);

/// <summary>
/// The running hub, driven through its gateway as a commune's civil-status system does (the load tool's
/// birth-wave consumer): submit with an Idempotency-Key, then read the dossier until it ends. Completion
/// time runs from sending the submission to the hub's own record of the last step (endedAt), so how
/// often the bench looks does not change the figures.
/// </summary>
public sealed class HubDossierPipeline(Uri gateway) : IDossierPipeline
{
    // How the shipped scenarios sign in as a commune (tools/LgspHub.Load/scenarios/birth-wave.json): dev credentials.
    private const string ClientId = "commune.justice-office";
    private const string Secret = "commune-dev-secret";
    private static readonly TimeSpan FollowInterval = TimeSpan.FromMilliseconds(100);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http = new(new SocketsHttpHandler { UseCookies = false, ConnectTimeout = TimeSpan.FromSeconds(5) })
    {
        BaseAddress = gateway,
        Timeout = TimeSpan.FromSeconds(30),
    };

    // Living mothers of the hub's default seed: the population agency checks a declared mother against its register.
    private readonly SyntheticCitizen[] _mothers = SeedMothers();

    public async Task<IReadOnlyList<DossierTiming>> RunAsync(int dossiers, int submitters, CancellationToken cancellationToken)
    {
        var token = await TokenAsync(cancellationToken);
        var submitted = new (DateTimeOffset At, string StatusUrl)[dossiers];
        var next = -1;
        async Task SubmitSome()
        {
            for (var i = Interlocked.Increment(ref next); i < dossiers; i = Interlocked.Increment(ref next))
                submitted[i] = await SubmitAsync(token, cancellationToken);
        }
        await Task.WhenAll(Enumerable.Range(0, submitters).Select(_ => Task.Run(SubmitSome, cancellationToken)));

        // Oldest first: dossiers end roughly in the order they came, so this reads each about once.
        var timings = new List<DossierTiming>(dossiers);
        foreach (var (at, statusUrl) in submitted)
        {
            DateTimeOffset? ended;
            while ((ended = await EndedAtAsync(token, statusUrl, cancellationToken)) is null)
                await Task.Delay(FollowInterval, cancellationToken);
            timings.Add(new DossierTiming(at, ended.Value));
        }
        return timings;
    }

    private async Task<(DateTimeOffset, string)> SubmitAsync(string token, CancellationToken cancellationToken)
    {
        var mother = _mothers[Random.Shared.Next(_mothers.Length)];
        var sex = Random.Shared.Next(2) == 0 ? Sex.Male : Sex.Female;
        using var request = Request(HttpMethod.Post, "/api/civil-status/birth-dossiers", token);
        request.Headers.Add(HubHeaders.IdempotencyKey, Guid.NewGuid().ToString());
        request.Content = JsonContent.Create(new
        {
            child = new
            {
                fullName = $"{mother.FullName.Split(' ')[0]} {(sex == Sex.Male ? "Minh Khang" : "Bảo Ngọc")}",
                sex = sex.ToString(),
                dateOfBirth = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-2)),
                placeOfBirth = SyntheticProvince.PrimaryCareFacility(mother.Commune),
            },
            motherPersonalId = mother.PersonalId.Value,
            residence = new { communeCode = mother.Commune.Code, street = mother.Street },
        }, options: Json);
        var at = DateTimeOffset.UtcNow;
        using var response = await _http.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Accepted)
            throw new DossierBenchException($"the gateway answered {(int)response.StatusCode} to a birth dossier (202 expected)");
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return (at, accepted.GetProperty("statusUrl").GetString()!);
    }

    /// <summary>When the dossier completed, or null while it is in progress.</summary>
    private async Task<DateTimeOffset?> EndedAtAsync(string token, string statusUrl, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, statusUrl, token);
        using var response = await _http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new DossierBenchException($"the gateway answered {(int)response.StatusCode} to a dossier's status");
        var dossier = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        // The reason of a rejected or failed dossier may name people: only its state is printed.
        return dossier.GetProperty("state").GetString() switch
        {
            "InProgress" => null,
            "Completed" => dossier.GetProperty("endedAt").GetDateTimeOffset(),
            var state => throw new DossierBenchException($"a birth dossier ended {state}, not Completed (./lgsp errors shows the agencies' error queues)"),
        };
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string token)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add(HubHeaders.Purpose, "hotich.dang-ky");
        request.Headers.Add(HubHeaders.Officer, "tuphap-01");
        return request;
    }

    private async Task<string> TokenAsync(CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = ClientId,
                ["client_secret"] = Secret,
            }), cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new DossierBenchException($"the gateway at {_http.BaseAddress} does not answer ({e.Message}): start the hub with ./lgsp up --detach");
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
                throw new DossierBenchException($"the gateway refused {ClientId}'s credentials ({(int)response.StatusCode}): the bench needs the default configuration");
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            return body.GetProperty("access_token").GetString()!;
        }
    }

    /// <summary>Women of 18 to 45, alive, in the hub's default seed (5,000 citizens).</summary>
    public static SyntheticCitizen[] SeedMothers()
    {
        var options = new SeedOptions();
        var province = new SyntheticProvince(options);
        return Enumerable.Range(0, options.Citizens).Select(province.Citizen)
            .Where(c => c.DateOfDeath is null && c.Sex == Sex.Female && options.ReferenceDate.Year - c.DateOfBirth.Year is >= 18 and <= 45)
            .ToArray();
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
