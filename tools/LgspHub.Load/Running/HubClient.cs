using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LgspHub.Contracts;
using LgspHub.Load.Scenarios;
using HubHeaders = LgspHub.ServiceDefaults.HubHeaders;

namespace LgspHub.Load.Running;

/// <summary>The run cannot start or go on: the hub is unreachable, or refuses a consumer's credentials.</summary>
public sealed class LoadException(string message, Exception? inner = null) : Exception(message, inner);

public readonly record struct Answer(Outcome Outcome, int Status, JsonElement? Body);

/// <summary>
/// Calls the gateway as the scenario's consumer systems do: client-credentials tokens, a purpose and an
/// officer on every call. Counts each answer the way the hub does, so the report and /ops can agree.
/// </summary>
public sealed class HubClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Measurements _measurements;
    private readonly Func<TimeSpan> _elapsed;
    private readonly TimeSpan _requestTimeout;
    private readonly Dictionary<string, ConsumerSession> _sessions = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<ResponseCheck> _checks;
    private readonly ConcurrentDictionary<string, ResponseCheck[]> _checksByOperation = new(StringComparer.Ordinal);

    /// <param name="checks">The scenario's checks by operation, applied to every answer of theirs.</param>
    public HubClient(Uri gateway, HttpMessageHandler handler, TimeSpan requestTimeout, Measurements measurements, Func<TimeSpan> elapsed,
        IReadOnlyList<ResponseCheck>? checks = null)
    {
        _checks = checks ?? [];
        // The per-request timeout below decides; this one only backs it up.
        _http = new HttpClient(handler) { BaseAddress = gateway, Timeout = requestTimeout + TimeSpan.FromSeconds(5) };
        _requestTimeout = requestTimeout;
        _measurements = measurements;
        _elapsed = elapsed;
    }

    public static HttpMessageHandler DefaultHandler() => new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        UseCookies = false,
    };

    public Uri Gateway => _http.BaseAddress!;

    /// <summary>Gets a token for every consumer before the first arrival: bad credentials stop the run, not skew it.</summary>
    public async Task SignInAsync(IReadOnlyDictionary<string, ConsumerCredentials> consumers, CancellationToken cancellationToken)
    {
        foreach (var (name, credentials) in consumers)
        {
            var session = new ConsumerSession(name, credentials);
            await session.RefreshAsync(_http, cancellationToken);
            _sessions[name] = session;
        }
    }

    /// <param name="body">An object sent as JSON, or content as it is.</param>
    /// <param name="checks">Checks of this request beyond the scenario's checks of its operation (a sequence step's).</param>
    /// <param name="headers">Headers beyond the hub's own (a sequence step's); they may replace the purpose and officer.</param>
    public async Task<Answer> SendAsync(
        string consumer, string operation, HttpMethod method, string path, object? body, TimeSpan measuredFrom,
        CancellationToken cancellationToken, bool readBody = false, string? idempotencyKey = null,
        IReadOnlyList<ResponseCheck>? checks = null, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        var session = _sessions[consumer];
        var token = await session.TokenAsync(_http, cancellationToken);
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add(HubHeaders.Purpose, session.Credentials.Purpose);
        request.Headers.Add(HubHeaders.Officer, session.Credentials.Officer);
        if (idempotencyKey is not null)
            request.Headers.Add(HubHeaders.IdempotencyKey, idempotencyKey);
        request.Content = body switch
        {
            null => null,
            HttpContent content => content,
            _ => JsonContent.Create(body, options: Json.Web),
        };
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.Remove(name);
            if (!request.Headers.TryAddWithoutValidation(name, value) && request.Content is not null)
            {
                request.Content.Headers.Remove(name);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }
        var operationChecks = _checksByOperation.GetOrAdd(operation, name => _checks.Where(c => c.AppliesTo(name)).ToArray());
        IReadOnlyList<ResponseCheck> allChecks = checks is { Count: > 0 } ? [.. operationChecks, .. checks] : operationChecks;
        readBody |= allChecks.Any(c => c.NeedsBody);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_requestTimeout);
        Answer answer;
        try
        {
            using var response = await _http.SendAsync(request, timeout.Token);
            JsonElement? content = null;
            if (readBody && response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true)
                content = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
            else
                await response.Content.LoadIntoBufferAsync(timeout.Token);
            var agencyStatus = response.Headers.TryGetValues(HubHeaders.AgencyStatus, out var values)
                && int.TryParse(values.FirstOrDefault(), CultureInfo.InvariantCulture, out var parsed) ? parsed : (int?)null;
            var (outcome, fault) = Classify((int)response.StatusCode, agencyStatus);
            answer = new Answer(outcome, (int)response.StatusCode, content);
            var answeredAt = _elapsed();
            _measurements.Record(operation, outcome, fault, measuredFrom, answeredAt, (int)response.StatusCode);
            foreach (var check in allChecks)
                _measurements.Check(operation, check.Name, check.Passes(answer.Status, content), measuredFrom, answeredAt);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run is stopping (Ctrl-C, or a threshold that aborts): this tool gave up on the request, the hub did not fail it.
            _measurements.Record(operation, Outcome.Abandoned, AbandonedFaults.RunStopped, measuredFrom, _elapsed());
            throw;
        }
        catch (OperationCanceledException)
        {
            // No answer within the scenario's requestTimeout: abandoned by this tool, as nginx's 499, not a failure of the hub.
            _measurements.Record(operation, Outcome.Abandoned, AbandonedFaults.Timeout, measuredFrom, _elapsed());
            answer = new Answer(Outcome.Abandoned, 0, null);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException)
        {
            // A refused connection or a broken body: the transaction failed.
            _measurements.Record(operation, Outcome.Failed, e is JsonException ? "broken_answer" : "no_connection", measuredFrom, _elapsed());
            answer = new Answer(Outcome.Failed, 0, null);
        }
        return answer;
    }

    /// <summary>An operator call (fault injection): not part of the measured traffic. Null when it worked, else what went wrong.</summary>
    public async Task<string?> AdminAsync(string consumer, HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        var session = _sessions[consumer];
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await session.TokenAsync(_http, cancellationToken));
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode
                ? null
                : $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}";
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return $"{method} {path}: no answer ({e.Message})";
        }
    }

    /// <summary>
    /// The hub's rule (<see cref="Outcomes.OfAnswer"/>), with the status at fault: the agency's server error, or the
    /// gateway's own refusal or failure. A request this tool gave up on is <see cref="Outcome.Abandoned"/>, which the
    /// hub counts apart from its failures as nginx's 499 does.
    /// </summary>
    public static (Outcome Outcome, string? Fault) Classify(int status, int? agencyStatus)
    {
        var outcome = Outcomes.OfAnswer(status, agencyStatus);
        return (outcome, outcome == Outcome.Succeeded ? null : agencyStatus is { } agency ? $"agency_{agency}" : $"gateway_{status}");
    }

    public void Dispose()
    {
        _http.Dispose();
        foreach (var session in _sessions.Values)
            session.Dispose();
    }

    private sealed class ConsumerSession(string name, ConsumerCredentials credentials) : IDisposable
    {
        private readonly SemaphoreSlim _refresh = new(1, 1);
        private string _token = "";
        private DateTimeOffset _renewAt;

        public ConsumerCredentials Credentials => credentials;

        public void Dispose() => _refresh.Dispose();

        public async ValueTask<string> TokenAsync(HttpClient http, CancellationToken cancellationToken)
        {
            if (DateTimeOffset.UtcNow < _renewAt)
                return _token;
            await _refresh.WaitAsync(cancellationToken);
            try
            {
                if (DateTimeOffset.UtcNow >= _renewAt)
                    await RefreshAsync(http, cancellationToken);
            }
            catch (LoadException)
            {
                // Keep the old token: if it has expired the hub refuses the calls, and the report shows it.
                _renewAt = DateTimeOffset.UtcNow.AddSeconds(5);
            }
            finally
            {
                _refresh.Release();
            }
            return _token;
        }

        public async Task RefreshAsync(HttpClient http, CancellationToken cancellationToken)
        {
            HttpResponseMessage response;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
                    {
                        ["grant_type"] = "client_credentials",
                        ["client_id"] = credentials.ClientId,
                        ["client_secret"] = credentials.Secret,
                    }), cancellationToken);
                }
                catch (HttpRequestException e)
                {
                    throw new LoadException($"the gateway at {http.BaseAddress} does not answer ({e.Message}); is the hub running (./lgsp up)?", e);
                }
                // The token endpoint is rate-limited per address: come back when it says, a few times.
                if (response.StatusCode != System.Net.HttpStatusCode.TooManyRequests || attempt == 5)
                    break;
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1), cancellationToken);
                response.Dispose();
            }
            using (response)
            {
                if (!response.IsSuccessStatusCode)
                    throw new LoadException($"consumer '{name}' ({credentials.ClientId}): the gateway refused its credentials ({(int)response.StatusCode})");
                var token = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
                _token = token.GetProperty("access_token").GetString() ?? "";
                var lifetime = token.TryGetProperty("expires_in", out var expires) ? expires.GetInt32() : 300;
                // Renew well before expiry, so no call of the run goes out with an expired token.
                _renewAt = DateTimeOffset.UtcNow.AddSeconds(lifetime * 0.8);
            }
        }
    }
}

/// <summary>Why a request was abandoned (its fault code in the report and the outputs).</summary>
public static class AbandonedFaults
{
    public const string Timeout = "timeout";
    public const string RunStopped = "run_stopped";
}

internal static class Json
{
    public static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };
}
