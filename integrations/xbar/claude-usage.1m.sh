#!/bin/sh
# <xbar.title>Claude usage</xbar.title>
# <xbar.desc>Claude rate limits in the menu bar: the line as the title, the windows, credits and status in the dropdown, and Refresh.</xbar.desc>
# <xbar.dependencies>claude-usage-line</xbar.dependencies>
# <swiftbar.hideRunInTerminal>true</swiftbar.hideRunInTerminal>
#
# claude-usage-line for xbar and SwiftBar: save it in the app's plugin folder, executable
# (`claude-usage setup xbar --install` writes it to xbar's). The ".1m." in the name is how
# often the app runs it; the line reads its cache and never waits on the network, so a
# shorter interval ("30s") costs no API call: the fetcher keeps its own pace.
#
# The line writes only parameters xbar knows (xbar shows nothing but an error for a plugin with
# one it does not), and SwiftBar's own (symbolize=false) when SwiftBar runs it: SwiftBar sets
# SWIFTBAR=1 in the plugin's environment, which reaches the line through the exec below.
#
# The app runs plugins with a short PATH, so the usual install places are searched too.
for candidate in "$(command -v claude-usage-line 2>/dev/null)" "$HOME/.local/bin/claude-usage-line" \
    /opt/homebrew/bin/claude-usage-line /usr/local/bin/claude-usage-line; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
        exec "$candidate" --format xbar
    fi
done
echo "claude: not installed | color=#E06C75"
echo "---"
echo "claude-usage-line was not found on PATH or in ~/.local/bin"
