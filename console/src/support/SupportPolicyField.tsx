/**
 * The support policy choice (STANDARD | EXTENDED) with what each does at the end of standard support:
 * one field for the create wizard and the update form, so both say the same thing.
 */
import FormField from '@cloudscape-design/components/form-field';
import RadioGroup from '@cloudscape-design/components/radio-group';
import { SUPPORT_POLICY_TEXT } from './support-text';

export type UpgradePolicy = 'STANDARD' | 'EXTENDED';

export default function SupportPolicyField({
  value,
  onChange,
  errorText,
  testId,
}: {
  value: UpgradePolicy | undefined;
  onChange: (policy: UpgradePolicy) => void;
  errorText?: string;
  testId: string;
}) {
  return (
    <FormField
      label="Support policy"
      description="What happens when the version's standard support ends."
      errorText={errorText}
    >
      <RadioGroup
        value={value ?? null}
        onChange={({ detail }) => onChange(detail.value === 'EXTENDED' ? 'EXTENDED' : 'STANDARD')}
        items={[
          { value: 'STANDARD', label: 'Standard', description: SUPPORT_POLICY_TEXT.STANDARD },
          { value: 'EXTENDED', label: 'Extended', description: SUPPORT_POLICY_TEXT.EXTENDED },
        ]}
        data-testid={testId}
      />
    </FormField>
  );
}
