/** A JSON document shown as code with a copy button (policies to paste into the IAM console). */
import Box from '@cloudscape-design/components/box';
import CopyToClipboard from '@cloudscape-design/components/copy-to-clipboard';
import SpaceBetween from '@cloudscape-design/components/space-between';

export default function JsonBlock({ value, label }: { value: unknown; label: string }) {
  const text = JSON.stringify(value, null, 2);
  return (
    <SpaceBetween size="xs">
      <CopyToClipboard
        variant="button"
        copyButtonText={`Copy ${label}`}
        copySuccessText={`${label} copied`}
        copyErrorText={`${label} could not be copied`}
        textToCopy={text}
      />
      {/* biome-ignore lint/a11y/useAriaPropsSupportedByRole: the label names the block when it takes focus */}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable block must be reachable by keyboard (axe scrollable-region-focusable) */}
      <pre className="json-block" aria-label={label} tabIndex={0}>
        <Box variant="code">{text}</Box>
      </pre>
    </SpaceBetween>
  );
}
