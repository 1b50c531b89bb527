using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using LgspHub.Load.Flows;
using LgspHub.Contracts;

namespace LgspHub.Load.Scenarios;

/// <summary>A scenario file refused, with every problem found and where (a JSON path).</summary>
public sealed class ScenarioException(string source, IReadOnlyList<string> problems)
    : Exception($"{source}: {problems.Count} problem(s): {string.Join("; ", problems)}")
{
    public string File { get; } = source;
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>Reads scenario files (JSON, comments allowed) and checks all of them before anything is sent.</summary>
public static partial class ScenarioFile
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        // A misspelt field is an error, not a silently ignored setting.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>The folder of the scenarios shipped with the tool.</summary>
    public static string ShippedFolder => Path.Combine(AppContext.BaseDirectory, "scenarios");

    public static IEnumerable<string> Shipped() =>
        Directory.Exists(ShippedFolder)
            ? Directory.EnumerateFiles(ShippedFolder, "*.json").Select(Path.GetFileNameWithoutExtension).Order().OfType<string>()
            : [];

    /// <summary>A shipped scenario by name (smoke, province-day, ...) or a file path.</summary>
    public static Scenario Load(string nameOrPath)
    {
        var path = File.Exists(nameOrPath) ? nameOrPath : Path.Combine(ShippedFolder, nameOrPath + ".json");
        if (!File.Exists(path))
            throw new ScenarioException(nameOrPath, [$"no such file, and no shipped scenario of that name (shipped: {string.Join(", ", Shipped())})"]);
        return Parse(File.ReadAllText(path), path);
    }

    public static Scenario Parse(string json, string source = "scenario")
    {
        Dto dto;
        try
        {
            dto = JsonSerializer.Deserialize<Dto>(json, Options) ?? throw new ScenarioException(source, ["the file is empty (null)"]);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (line {line + 1}, {e.Path ?? "$"})" : "";
            throw new ScenarioException(source, [$"not valid scenario JSON{where}: {FirstSentence(e.Message)}"]);
        }
        return new Validator(source).Validate(dto);
    }

    private static string FirstSentence(string message) => message.Split(". Path:")[0].Split(" LineNumber:")[0];

    private sealed class Validator(string source)
    {
        private readonly List<string> _problems = [];

        private void Problem(string path, string text) => _problems.Add($"{path}: {text}");

        public Scenario Validate(Dto dto)
        {
            if (string.IsNullOrWhiteSpace(dto.Name))
                Problem("name", "required");

            var province = Province(dto.Province);
            var consumers = Consumers(dto.Consumers);
            if (dto.Admin is { } admin && !consumers.ContainsKey(admin))
                Problem("admin", $"'{admin}' is not one of the consumers");

            var stages = Stages(dto.Stages);
            var checks = Checks(dto.Checks, "checks", allowOperation: true);
            var sequences = Sequences(dto.Sequences);
            var mix = Mix(dto.Mix, consumers, sequences);
            var duration = stages.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Duration);
            var events = Events(dto.Events, duration, dto.Admin);
            var drain = Duration(dto.Drain, "drain", TimeSpan.FromSeconds(60), allowZero: true);
            var timeout = Duration(dto.RequestTimeout, "requestTimeout", TimeSpan.FromSeconds(30));
            if (dto.TimeScale is not (null or (> 0 and <= 100_000)))
                Problem("timeScale", "above 0 and at most 100000 (144 plays 24 hours in 10 minutes)");
            if (dto.RateScale is not (null or (> 0 and <= 100_000)))
                Problem("rateScale", "above 0 and at most 100000");
            if (dto.MaxInFlight is < 1 or > 100_000)
                Problem("maxInFlight", "from 1 to 100000");
            var sent = mix.Where(m => m.Sequence is null).SelectMany(m => Operations.Of(m.Flow))
                .Concat(sequences.Values.SelectMany(q => q.Steps.Select(step => step.Operation))).ToHashSet(StringComparer.Ordinal);
            for (var i = 0; i < checks.Count; i++)
                if (checks[i].Operation is { } operation && !sent.Contains(operation))
                    Problem($"checks[{i}].operation", $"'{operation}' is not sent by this scenario's mix ({string.Join(", ", sent.Order(StringComparer.Ordinal))})");
            var hasChecks = checks.Count > 0 || sequences.Values.Any(q => q.Steps.Any(step => step.Checks.Count > 0));
            var thresholds = Thresholds(dto.Thresholds, mix, hasChecks);

            if (_problems.Count > 0)
                throw new ScenarioException(source, _problems);
            return new Scenario(dto.Name!, dto.Description ?? "", province, consumers, dto.Admin, stages, mix, events, drain,
                dto.MaxInFlight ?? 2_000, timeout, thresholds, dto.TimeScale ?? 1, dto.RateScale ?? 1)
            {
                Checks = checks,
                Sequences = sequences,
            };
        }

        private ProvinceRange Province(ProvinceDto? dto)
        {
            var seed = dto?.Seed ?? 2026;
            var range = dto?.Citizens ?? "0..5000";
            if (!ProvinceRange.TryParseCitizens(range, out var from, out var to))
            {
                Problem("province.citizens", $"{ProvinceRange.CitizensFormat} (was '{range}')");
                return new ProvinceRange(seed, 0, 1);
            }
            if (to - from < ProvinceRange.MinCitizens)
                Problem("province.citizens", $"at least {ProvinceRange.MinCitizens} citizens, so the flows find parents, owners and card holders");
            return new ProvinceRange(seed, from, to);
        }

        private Dictionary<string, ConsumerCredentials> Consumers(Dictionary<string, ConsumerDto>? dtos)
        {
            var consumers = new Dictionary<string, ConsumerCredentials>(StringComparer.Ordinal);
            if (dtos is null or { Count: 0 })
            {
                Problem("consumers", "at least one consumer: { \"name\": { \"clientId\": ..., \"secret\": ... } }");
                return consumers;
            }
            foreach (var (name, dto) in dtos)
            {
                var path = $"consumers.{name}";
                var secret = dto.Secret;
                if (dto.SecretFromEnvironment is { } variable)
                {
                    secret = Environment.GetEnvironmentVariable(variable);
                    if (string.IsNullOrEmpty(secret))
                        Problem($"{path}.secretFromEnvironment", $"the environment variable {variable} is not set");
                }
                if (string.IsNullOrWhiteSpace(dto.ClientId))
                    Problem($"{path}.clientId", "required");
                if (string.IsNullOrEmpty(secret) && dto.SecretFromEnvironment is null)
                    Problem($"{path}.secret", "required (or secretFromEnvironment)");
                consumers[name] = new ConsumerCredentials(dto.ClientId ?? "", secret ?? "", dto.Purpose ?? "lgsp.load", dto.Officer ?? "load-officer");
            }
            return consumers;
        }

        private List<Stage> Stages(List<StageDto>? dtos)
        {
            var stages = new List<Stage>();
            if (dtos is null or { Count: 0 })
            {
                Problem("stages", "at least one stage: { \"duration\": \"30s\", \"rate\": 10 } or { \"duration\": \"10s\", \"rampTo\": 50 }");
                return stages;
            }
            double previous = 0;
            for (var i = 0; i < dtos.Count; i++)
            {
                var dto = dtos[i];
                var path = $"stages[{i}]";
                var duration = Duration(dto.Duration, $"{path}.duration", null);
                if (dto.Rate is null == dto.RampTo is null)
                    Problem(path, "give either rate (constant) or rampTo (linear from the previous stage's rate), not both");
                var target = dto.Rate ?? dto.RampTo ?? 0;
                if (target is < 0 or > 100_000)
                    Problem(path, "rates are arrivals per second, from 0 to 100000");
                var from = dto.Rate ?? previous;
                stages.Add(new Stage(duration, from, target));
                previous = target;
            }
            if (stages.All(s => s.From == 0 && s.To == 0))
                Problem("stages", "every rate is 0: nothing would be sent");
            return stages;
        }

        private List<ResponseCheck> Checks(List<CheckDto>? dtos, string path, bool allowOperation)
        {
            var checks = new List<ResponseCheck>();
            for (var i = 0; i < (dtos?.Count ?? 0); i++)
            {
                var dto = dtos![i];
                var at = $"{path}[{i}]";
                if (dto.Status is null && dto.Field is null)
                    Problem(at, "give status, field, or both (with equals: the field's value)");
                if (dto.Status is not (null or (>= 100 and <= 599)))
                    Problem($"{at}.status", "an HTTP status, from 100 to 599");
                JsonFieldPath? field = null;
                if (dto.Field is not null && !JsonFieldPath.TryParse(dto.Field, out field))
                    Problem($"{at}.field", $"a field of the JSON answer such as \"matches\", \"card.number\" or \"items[0].id\" (was '{dto.Field}')");
                if (dto.Value is not null && dto.Field is null)
                    Problem($"{at}.equals", "compares a field: give field too");
                if (!allowOperation && dto.Operation is not null)
                    Problem($"{at}.operation", "a step's checks are on that step's answers");
                checks.Add(new ResponseCheck(dto.Name ?? ResponseCheck.DefaultName(dto.Status, dto.Field, dto.Value), dto.Operation, dto.Status, field, dto.Value));
            }
            return checks;
        }

        private Dictionary<string, Sequence> Sequences(Dictionary<string, SequenceDto>? dtos)
        {
            var sequences = new Dictionary<string, Sequence>(StringComparer.Ordinal);
            foreach (var (name, dto) in dtos ?? [])
            {
                var path = $"sequences.{name}";
                if (FlowNames.TryParse(name, out _))
                    Problem(path, $"'{name}' is a built-in flow's name; give the sequence another");
                if (dto.Steps is null or { Count: 0 })
                {
                    Problem($"{path}.steps", "at least one step: { \"method\": \"GET\", \"path\": \"/api/population/citizens/{{citizen.personalId}}\" }");
                    continue;
                }
                var known = new HashSet<string>(SequenceValues.BuiltInNames, StringComparer.Ordinal);
                var steps = new List<SequenceStep>();
                for (var i = 0; i < dto.Steps.Count; i++)
                    steps.Add(StepOf(dto.Steps[i], $"{path}.steps[{i}]", $"{name}.{i + 1}", known));
                sequences[name] = new Sequence(name, dto.Description ?? "", steps);
            }
            return sequences;
        }

        private SequenceStep StepOf(StepDto dto, string path, string defaultName, HashSet<string> known)
        {
            var method = (dto.Method ?? "GET").ToUpperInvariant();
            if (method is not ("GET" or "POST" or "PUT" or "PATCH" or "DELETE" or "HEAD"))
                Problem($"{path}.method", $"one of GET, POST, PUT, PATCH, DELETE, HEAD (was '{dto.Method}')");
            if (dto.Path is null || !dto.Path.StartsWith('/'))
                Problem($"{path}.path", "required, a path of the gateway starting with '/' (placeholders such as {{citizen.personalId}} allowed)");
            var template = new Template(dto.Path ?? "/");
            var headers = (dto.Headers ?? []).Select(h => KeyValuePair.Create(h.Key, new Template(h.Value))).ToList();
            void Unknown(string where, IEnumerable<string> names)
            {
                foreach (var unknown in names.Where(n => !known.Contains(n)))
                    Problem(where, $"'{{{{{unknown}}}}}' is neither extracted by an earlier step nor a built-in value ({string.Join(", ", SequenceValues.BuiltInNames.Order(StringComparer.Ordinal))})");
            }
            Unknown($"{path}.path", template.Names);
            foreach (var (header, value) in headers)
                Unknown($"{path}.headers.{header}", value.Names);
            if (dto.Body is { } body)
                Unknown($"{path}.body", Template.NamesIn(body));
            var extract = new Dictionary<string, JsonFieldPath>(StringComparer.Ordinal);
            foreach (var (name, field) in dto.Extract ?? [])
            {
                if (!ExtractName().IsMatch(name) || SequenceValues.BuiltInNames.Contains(name))
                    Problem($"{path}.extract.{name}", "a name of letters, digits, '-' and '_' (no dot), not a built-in value's");
                if (!JsonFieldPath.TryParse(field, out var parsed))
                    Problem($"{path}.extract.{name}", $"a field of the JSON answer such as \"ownerPersonalId\" or \"items[0].id\" (was '{field}')");
                else
                    extract[name] = parsed;
            }
            known.UnionWith(extract.Keys);
            return new SequenceStep(dto.Name ?? defaultName, new HttpMethod(method), template, headers, dto.Body, extract, Checks(dto.Checks, $"{path}.checks", allowOperation: false));
        }

        private List<MixEntry> Mix(List<MixDto>? dtos, Dictionary<string, ConsumerCredentials> consumers, Dictionary<string, Sequence> sequences)
        {
            var mix = new List<MixEntry>();
            if (dtos is null or { Count: 0 })
            {
                Problem("mix", "at least one entry: { \"flow\": \"verify-identity\", \"consumer\": \"hospital\", \"weight\": 1 }");
                return mix;
            }
            for (var i = 0; i < dtos.Count; i++)
            {
                var dto = dtos[i];
                var path = $"mix[{i}]";
                var flow = default(FlowKind);
                if (dto.Flow is null == dto.Sequence is null)
                    Problem(path, "give either flow (a built-in one) or sequence (one of the file's sequences)");
                else if (dto.Sequence is { } sequence && !sequences.ContainsKey(sequence)
                    && !_problems.Any(p => p.StartsWith($"sequences.{sequence}.", StringComparison.Ordinal)))   // said already
                    Problem($"{path}.sequence", $"'{sequence}' is not one of the file's sequences ({string.Join(", ", sequences.Keys)})");
                else if (dto.Flow is not null && !FlowNames.TryParse(dto.Flow, out flow))
                    Problem($"{path}.flow", $"unknown flow '{dto.Flow}' (known: {string.Join(", ", FlowNames.All)})");
                if (dto.Consumer is null || !consumers.ContainsKey(dto.Consumer))
                    Problem($"{path}.consumer", $"'{dto.Consumer}' is not one of the consumers ({string.Join(", ", consumers.Keys)})");
                if (dto.Weight is not > 0)
                    Problem($"{path}.weight", "a positive number (shares are weight / sum of weights)");
                mix.Add(new MixEntry(flow, dto.Consumer ?? "", dto.Weight ?? 0, dto.Sequence));
            }
            return mix;
        }

        private List<TimedEvent> Events(List<EventDto>? dtos, TimeSpan duration, string? admin)
        {
            var events = new List<TimedEvent>();
            for (var i = 0; i < (dtos?.Count ?? 0); i++)
            {
                var dto = dtos![i];
                var path = $"events[{i}]";
                var at = Duration(dto.At, $"{path}.at", null, allowZero: true);
                if (at > duration)
                    Problem($"{path}.at", $"after the last stage ends ({DurationText.Format(duration)})");
                if (dto.Command is null == dto.Faults is null)
                    Problem(path, "give either faults (with agency) or command");
                if (dto.Faults is { } faults)
                {
                    if (dto.Agency is null || !HubAgencies.All.Contains(dto.Agency))
                        Problem($"{path}.agency", $"one of {string.Join(", ", HubAgencies.All)}");
                    if (faults.ValueKind is not JsonValueKind.Object && !(faults.ValueKind is JsonValueKind.String && faults.GetString() == "off"))
                        Problem($"{path}.faults", "an object of fault settings (errorRate, latency, timeoutRate, consumerFailureRate, outage) or \"off\"");
                    if (admin is null)
                        Problem("admin", "fault events need an admin consumer holding the right lgsp.inject-faults");
                }
                events.Add(new TimedEvent(at, dto.Agency, dto.Faults, dto.Command));
            }
            return events.OrderBy(e => e.At).ToList();
        }

        private List<Threshold> Thresholds(List<ThresholdDto>? dtos, List<MixEntry> mix, bool hasChecks)
        {
            var thresholds = new List<Threshold>();
            for (var i = 0; i < (dtos?.Count ?? 0); i++)
            {
                var dto = dtos![i];
                var path = $"thresholds[{i}]";
                if (!Metrics.TryGetValue(dto.Metric ?? "", out var metric))
                {
                    Problem($"{path}.metric", $"unknown metric '{dto.Metric}' (known: {string.Join(", ", Metrics.Keys)})");
                    continue;
                }
                if (dto.Min is null == dto.Max is null)
                    Problem(path, "give either min or max");
                var threshold = new Threshold(metric, dto.Operation, dto.Min, dto.Max) { AbortOnFail = dto.AbortOnFail ?? false };
                if (threshold.IsRate && (dto.Min ?? dto.Max) is < 0 or > 100)
                    Problem(path, "rates are percentages, from 0 to 100");
                if (dto.Operation is not null && (threshold.IsOnDossiers || metric is ThresholdMetric.Dropped))
                    Problem($"{path}.operation", $"{dto.Metric} is not counted per operation");
                if (threshold.IsOnDossiers && !mix.Any(m => m.Sequence is null && m.Flow is FlowKind.BirthDossier or FlowKind.DeathDossier))
                    Problem($"{path}.metric", "the mix submits no dossiers");
                if (metric is ThresholdMetric.Checks or ThresholdMetric.ChecksFailed && !hasChecks)
                    Problem($"{path}.metric", "the scenario has no checks");
                if (dto.Window is not null)
                {
                    var window = Duration(dto.Window, $"{path}.window", null);
                    if (window > MaxWindow || window < TimeSpan.FromSeconds(1) || window.Ticks % TimeSpan.TicksPerSecond != 0)
                        Problem($"{path}.window", $"whole seconds, from 1s to {DurationText.Format(MaxWindow)}");
                    threshold = threshold with { Window = window };
                }
                if (threshold.IsOnDossiers && (dto.Window is not null || threshold.AbortOnFail))
                    Problem(path, "dossier thresholds are judged when the run has ended: no window, no abortOnFail");
                if (dto.DelayAbortEval is not null)
                {
                    if (!threshold.AbortOnFail)
                        Problem($"{path}.delayAbortEval", "only with abortOnFail");
                    threshold = threshold with { DelayAbortEval = Duration(dto.DelayAbortEval, $"{path}.delayAbortEval", null, allowZero: true) };
                }
                thresholds.Add(threshold);
            }
            return thresholds;
        }

        private TimeSpan Duration(string? text, string path, TimeSpan? fallback, bool allowZero = false)
        {
            if (text is null && fallback is { } value)
                return value;
            if (!DurationText.TryParse(text, out var duration) || (!allowZero && duration <= TimeSpan.Zero))
            {
                Problem(path, $"a duration such as \"500ms\", \"30s\", \"2m\" or \"1h30m\" (was {(text is null ? "missing" : $"'{text}'")})");
                return TimeSpan.Zero;
            }
            return duration;
        }
    }


    private static readonly Dictionary<string, ThresholdMetric> Metrics = new()
    {
        ["success-rate"] = ThresholdMetric.SuccessRate,
        ["dossiers-on-time"] = ThresholdMetric.DossiersOnTime,
        ["dossiers-completed"] = ThresholdMetric.DossiersCompleted,
        ["p50"] = ThresholdMetric.P50,
        ["p95"] = ThresholdMetric.P95,
        ["p99"] = ThresholdMetric.P99,
        ["dropped"] = ThresholdMetric.Dropped,
        ["checks"] = ThresholdMetric.Checks,
        ["checks-failed"] = ThresholdMetric.ChecksFailed,
        ["abandoned"] = ThresholdMetric.Abandoned,
    };

    /// <summary>The metric names thresholds take.</summary>
    public static IEnumerable<string> MetricNames => Metrics.Keys;

    /// <summary>The longest moving window a threshold may have: the run keeps a second's figures for this long.</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromMinutes(5);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]*$")]
    private static partial Regex ExtractName();

    // The file's shape; every field optional here so the validator can name what is missing.
    private sealed record Dto(
        string? Name, string? Description, ProvinceDto? Province, Dictionary<string, ConsumerDto>? Consumers, string? Admin,
        List<StageDto>? Stages, double? TimeScale, double? RateScale, List<MixDto>? Mix, List<EventDto>? Events, string? Drain, int? MaxInFlight,
        string? RequestTimeout, List<ThresholdDto>? Thresholds, List<CheckDto>? Checks, Dictionary<string, SequenceDto>? Sequences,
        // Where an editor finds the file's JSON Schema (scenario.schema.json); the tool itself has no use for it.
        [property: JsonPropertyName("$schema")] string? Schema);

    private sealed record CheckDto(string? Name, string? Operation, int? Status, string? Field, [property: JsonPropertyName("equals")] JsonElement? Value);

    private sealed record SequenceDto(string? Description, List<StepDto>? Steps);

    private sealed record StepDto(
        string? Name, string? Method, string? Path, Dictionary<string, string>? Headers, JsonElement? Body, Dictionary<string, string>? Extract, List<CheckDto>? Checks);

    private sealed record ProvinceDto(int? Seed, string? Citizens);

    private sealed record ConsumerDto(string? ClientId, string? Secret, string? SecretFromEnvironment, string? Purpose, string? Officer);

    private sealed record StageDto(string? Duration, double? Rate, double? RampTo);

    private sealed record MixDto(string? Flow, string? Sequence, string? Consumer, double? Weight);

    private sealed record EventDto(string? At, string? Agency, JsonElement? Faults, string? Command);

    private sealed record ThresholdDto(
        string? Metric, string? Operation, double? Min, double? Max, string? Window, bool? AbortOnFail, string? DelayAbortEval);
}
