using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LgspHub.Deploy.Tests;

/// <summary>YAML documents as the tools read them: anchors resolved and merge keys (&lt;&lt;) applied, as docker compose does.</summary>
internal static class Yaml
{
    public static IReadOnlyList<YamlMappingNode> LoadAll(string path) => Parse(File.ReadAllText(path), path);

    public static IReadOnlyList<YamlMappingNode> Parse(string text, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new MergingParser(new Parser(new StringReader(text))));
        }
        catch (YamlException e)
        {
            throw new InvalidOperationException($"{source} is not valid YAML: {e.Message}", e);
        }
        return stream.Documents
            .Where(d => d.RootNode is not YamlScalarNode { Value: null or "" })
            .Select(d => d.RootNode as YamlMappingNode ?? throw new InvalidOperationException($"{source}: a document is not a mapping"))
            .ToList();
    }

    public static YamlNode? Get(this YamlNode? node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public static YamlNode? At(this YamlNode? node, params string[] path) => path.Aggregate(node, (current, key) => current.Get(key));

    public static string? Text(this YamlNode? node, params string[] path) => (node.At(path) as YamlScalarNode)?.Value;

    public static YamlMappingNode Map(this YamlNode? node, params string[] path) =>
        node.At(path) as YamlMappingNode ?? new YamlMappingNode();

    public static IReadOnlyList<YamlNode> List(this YamlNode? node, params string[] path) =>
        node.At(path) is YamlSequenceNode sequence ? sequence.Children.ToList() : [];

    public static IReadOnlyList<string> Texts(this YamlNode? node, params string[] path) =>
        node.List(path).OfType<YamlScalarNode>().Select(s => s.Value ?? "").ToList();

    public static IEnumerable<(string Key, YamlNode Value)> Entries(this YamlNode? node) =>
        node is YamlMappingNode map ? map.Children.Select(c => (((YamlScalarNode)c.Key).Value ?? "", c.Value)) : [];
}
